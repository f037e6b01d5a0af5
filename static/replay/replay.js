// Replay pages. Without JavaScript every fieldset shows and every form posts normally.
(function () {
  "use strict";

  // Show only the fieldsets of the chosen way to replay (paste, build, XML).
  function sync() {
    var form = document.querySelector(".replay-form");
    if (!form) return;
    var checked = form.querySelector("input[name=mode]:checked");
    var mode = checked ? checked.value : "paste";
    form.querySelectorAll(".mode-section").forEach(function (section) {
      var modes = (section.getAttribute("data-mode") || "").split(" ");
      section.hidden = modes.indexOf(mode) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "mode") sync();
  });
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("htmx:afterSwap", sync);

  // The replay form answers 400 (fix the fields) and 429 (too many replays) with a panel to show:
  // htmx 2 does not swap 4xx answers unless told to.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var source = event.target;
    if ((status === 400 || status === 429) && source && source.closest &&
        source.closest("#replay-panel, .replay-history-filters")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
