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

  // "Copy for ticket": fetch the ticket text in the chosen format (remembered), then copy it.
  var FORMAT_KEY = "kb-ticket-format";
  function savedFormat() {
    try { return window.localStorage.getItem(FORMAT_KEY) || "markdown"; } catch (e) { return "markdown"; }
  }
  function restoreFormats(root) {
    var wanted = savedFormat();
    (root || document).querySelectorAll("[data-ticket-format]").forEach(function (select) {
      if (select.querySelector('option[value="' + wanted + '"]')) select.value = wanted;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { restoreFormats(document); });
  document.addEventListener("htmx:afterSettle", function (event) { restoreFormats(event.target); });
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("[data-ticket-format]")) return;
    try { window.localStorage.setItem(FORMAT_KEY, event.target.value); } catch (e) { /* private mode */ }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-ticket-copy]");
    if (!button) return;
    var box = button.closest("[data-ticket-url]");
    var select = box.querySelector("[data-ticket-format]");
    var url = box.getAttribute("data-ticket-url") + "format=" + encodeURIComponent(select ? select.value : "markdown");
    if (!navigator.clipboard) { announce(button, "Copy is not available here: open the text instead."); return; }
    var text = window.fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    });
    var copied = function () { announce(button, "Copied."); };
    var failed = function () { announce(button, "Could not copy: open the text instead."); };
    if (window.ClipboardItem && navigator.clipboard.write) {
      var item = new window.ClipboardItem({ "text/plain": text.then(function (t) { return new Blob([t], { type: "text/plain" }); }) });
      navigator.clipboard.write([item]).then(copied, function () {
        text.then(function (t) { return navigator.clipboard.writeText(t); }).then(copied, failed);
      });
    } else {
      text.then(function (t) { return navigator.clipboard.writeText(t); }).then(copied, failed);
    }
  });

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
