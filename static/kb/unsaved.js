// Leaving the entry editor with unsaved changes asks first (templates/kb/entry_edit.html). The form's fields are
// compared with what the page opened with; a form the server sent back (a refused save, Add a step without
// JavaScript) is unsaved from the start. Submitting the form itself never asks. No inline script (strict CSP).
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form) return;

  function snapshot() {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") parts.push(name + "=" + value);
    });
    return parts.join("\u0000");
  }

  var opened = snapshot();
  var unsavedFromServer = form.hasAttribute("data-unsaved");
  var submitting = false;

  // Last in line (the window, bubbling): a submit that a script stopped (htmx's preview) does not leave the page.
  window.addEventListener("submit", function (event) {
    if (event.target === form && !event.defaultPrevented) submitting = true;
  });
  window.addEventListener("pageshow", function () { submitting = false; });

  window.addEventListener("beforeunload", function (event) {
    if (submitting) return;
    if (!unsavedFromServer && snapshot() === opened) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need a value to ask
  });
})();
