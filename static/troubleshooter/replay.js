// Replay form: show only the fieldsets of the chosen way to replay. Without JavaScript every fieldset shows.
(function () {
  "use strict";

  function sync(root) {
    var form = root.querySelector ? root.querySelector(".replay-form") : null;
    if (!form) return;
    var checked = form.querySelector("input[name=mode]:checked");
    var mode = checked ? checked.value : "paste";
    form.querySelectorAll(".mode-section").forEach(function (section) {
      var modes = (section.getAttribute("data-mode") || "").split(" ");
      section.hidden = modes.indexOf(mode) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "mode") sync(document);
  });
  document.addEventListener("DOMContentLoaded", function () { sync(document); });
  document.addEventListener("htmx:afterSwap", function () { sync(document); });
})();
