// Replay pages. Without JavaScript every fieldset and field shows and every form posts normally.
(function () {
  "use strict";

  function form() { return document.querySelector(".replay-form"); }

  // Show only the fieldsets of the chosen way to replay (paste, build, XML), and the log-in fields only when
  // "Log in first" is on.
  function sync() {
    var f = form();
    if (!f) return;
    var checked = f.querySelector("input[name=mode]:checked");
    var mode = checked ? checked.value : "paste";
    f.querySelectorAll(".mode-section").forEach(function (section) {
      var modes = (section.getAttribute("data-mode") || "").split(" ");
      section.hidden = modes.indexOf(mode) === -1;
    });
    var login = f.querySelector("input[name=login_first]");
    f.querySelectorAll("[data-login-fields]").forEach(function (fields) {
      fields.hidden = !(login && login.checked);
    });
  }

  // A command that needs a session (m.php, o.php, c.php) turns "Log in first" on, unless the person set it.
  var loginTouched = false;
  function followCommand(select) {
    var login = form() && form().querySelector("input[name=login_first]");
    if (!login || loginTouched) return;
    var needing = (select.getAttribute("data-needs-session") || "").split(" ");
    login.checked = needing.indexOf(select.value) !== -1;
    sync();
  }

  // "Start from a template" puts the chosen XML API call's skeleton into the request box.
  var lastTemplate = null;
  function useTemplate(select) {
    var f = form();
    var box = f && f.querySelector("textarea[name=xml]");
    var template = select.value && f.querySelector('template[data-xml-template="' + select.value.replace(/"/g, "") + '"]');
    if (!box || !template) return;
    var text = template.content ? template.content.textContent : template.textContent;
    var edited = box.value.trim() !== "" && box.value !== lastTemplate;
    if (edited && !window.confirm("Replace the XML request with the template?")) return;
    box.value = text;
    lastTemplate = text;
  }

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (!t || !t.closest || !t.closest(".replay-form")) return;
    if (t.name === "mode") sync();
    if (t.name === "login_first") { loginTouched = true; sync(); }
    if (t.name === "command") followCommand(t);
    if (t.hasAttribute("data-xml-template-select")) useTemplate(t);
  });

  // The result is scrolled into view and focused, so keyboard and screen-reader users land on it; when the form
  // needs fixing, the first field to fix gets the focus (the summary above is announced as an alert).
  function firstInvalid() {
    var fields = document.querySelectorAll('.replay-form [aria-invalid="true"]');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].offsetParent !== null) return fields[i];
    }
    return document.querySelector(".replay-form .form-errors");
  }
  function focusResult() {
    var result = document.querySelector("#replay-result [data-replay-result]");
    var target = result || (document.querySelector(".replay-form .form-errors") && firstInvalid());
    if (!target) return;
    target.scrollIntoView({ block: result ? "start" : "center" });
    target.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    sync();
    var f = form();
    var box = f && f.querySelector("textarea[name=xml]");
    if (box && box.value.trim()) lastTemplate = box.value;
    if (document.querySelector(".replay-form")) focusResult();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    sync();
    if (event.detail && event.detail.target && event.detail.target.id === "replay-panel") {
      loginTouched = false;
      focusResult();
    }
  });

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
