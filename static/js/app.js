// Site-wide behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function announce(button, text) {
    var note = button.parentNode.querySelector(".copied");
    if (!note) {
      note = document.createElement("span");
      note.className = "copied";
      note.setAttribute("role", "status");
      button.parentNode.appendChild(note);
    }
    note.textContent = text;
    window.setTimeout(function () { note.textContent = ""; }, 2500);
  }

  // Buttons with data-copy="text" copy that text; data-copy-from="#id" copies an element's value or text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy], [data-copy-from]");
    if (!button) return;
    var text = button.getAttribute("data-copy");
    var from = button.getAttribute("data-copy-from");
    if (from) {
      var source = document.querySelector(from);
      text = source ? (source.value !== undefined ? source.value : source.textContent) : "";
    }
    if (!navigator.clipboard) { announce(button, "Copy is not available here: select the text instead."); return; }
    navigator.clipboard.writeText(text).then(
      function () { announce(button, "Copied."); },
      function () { announce(button, "Could not copy: select the text instead."); }
    );
  });

  // A search form marked data-search-post is submitted by POST to that URL (kb.views_search.search_go), which
  // answers with a redirect to the entry or to the redacted results URL: a pasted password never travels in a URL.
  // Without JavaScript the form is a GET, and the server redirects a URL holding a password to the redacted one.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches("form[data-search-post]")) return;
    form.method = "post";
    form.action = form.getAttribute("data-search-post");
  });

  // "/" focuses the page's search box: the one marked data-search-box (a page with a box of its own leaves the
  // header's out), unless the person is typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.querySelector("[data-search-box]");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
})();
