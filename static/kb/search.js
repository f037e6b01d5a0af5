// Search page: keyboard moves through the results, the search box stays in step with history.
// Loaded with <script defer> by templates/kb/search.html; no inline script anywhere (strict CSP).
(function () {
  "use strict";

  function box() { return document.getElementById("search-q"); }
  function links() { return Array.prototype.slice.call(document.querySelectorAll("#search-results .search-link")); }

  // On the search page, "/" focuses the page's own search box (the header box elsewhere, see js/app.js).
  window.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var input = box();
    if (!input) return;
    event.preventDefault();
    event.stopPropagation();
    input.focus();
    input.select();
  }, true);

  // Arrow keys: from the box to the first result, between results, and back up to the box.
  // Enter on a focused result follows its link (native behaviour); Escape returns to the box.
  document.addEventListener("keydown", function (event) {
    var input = box();
    if (!input) return;
    var items = links();
    var here = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown") {
      if (document.activeElement === input || here !== -1) {
        if (!items.length) return;
        event.preventDefault();
        items[Math.min(here + 1, items.length - 1)].focus();
      }
    } else if (event.key === "ArrowUp") {
      if (here === -1) return;
      event.preventDefault();
      if (here === 0) { input.focus(); } else { items[here - 1].focus(); }
    } else if (event.key === "Escape" && here !== -1) {
      event.preventDefault();
      input.focus();
    }
  });

  // htmx keeps page snapshots for Back/Forward; store the typed text in the box's value attribute
  // so a restored snapshot shows the query that produced its results.
  document.body.addEventListener("htmx:beforeHistorySave", function () {
    var input = box();
    if (input) { input.setAttribute("value", input.value); }
  });
  function syncFromUrl() {
    var input = box();
    if (!input) return;
    var q = new URLSearchParams(window.location.search).get("q");
    if (q !== null && input.value !== q && document.activeElement !== input) { input.value = q; }
  }
  document.body.addEventListener("htmx:historyRestore", syncFromUrl);
  window.addEventListener("pageshow", syncFromUrl);
})();
