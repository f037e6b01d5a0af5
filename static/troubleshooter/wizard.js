// The wizard: after htmx swaps a step in place, move focus to the new question or outcome heading
// so keyboard and screen-reader users land on it. Copy buttons use the site-wide [data-copy] handler.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "wizard") return;
    var wizard = document.getElementById("wizard");
    var heading = wizard && wizard.querySelector("[data-wizard-focus]");
    if (heading) heading.focus();
  });
})();
