// The entry editor (templates/kb/entry_edit.html): steps moved, added and removed in place, and the command and
// service pickers. Without this file every button is a plain submit that comes back from the server with the
// form changed (kb/editing.py), so the page works without JavaScript. No inline script anywhere (strict CSP).
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form) return;
  var statusBox = document.getElementById("editor-status");

  function say(text) {
    if (!statusBox) return;
    statusBox.textContent = "";
    window.setTimeout(function () { statusBox.textContent = text; }, 30);
  }

  // ------------------------------------------------------------------ steps

  function stepRows(list) {
    return Array.prototype.filter.call(list.children, function (el) { return el.classList.contains("step-row"); });
  }

  function setDisabled(button, off) {
    if (!button) return;
    if (off) { button.setAttribute("aria-disabled", "true"); } else { button.removeAttribute("aria-disabled"); }
  }

  // Steps are posted in the order they stand (one repeated field per cause); ids, labels and the values of the
  // no-JavaScript buttons are kept in step with the order.
  function renumber(list) {
    var cause = list.getAttribute("data-cause");
    var rows = stepRows(list);
    rows.forEach(function (row, j) {
      row.querySelectorAll(".step-number").forEach(function (el) { el.textContent = String(j + 1); });
      var area = row.querySelector("textarea");
      var label = row.querySelector("label");
      area.id = "cause-" + cause + "-step-" + j;
      area.name = "cause-" + cause + "-step";
      label.htmlFor = area.id;
      ["up", "down", "remove"].forEach(function (kind) {
        var button = row.querySelector('[data-step="' + kind + '"]');
        button.id = area.id + "-" + kind;
        button.value = "step-" + kind + ":" + cause + ":" + j;
      });
      setDisabled(row.querySelector('[data-step="up"]'), j === 0);
      setDisabled(row.querySelector('[data-step="down"]'), j === rows.length - 1);
    });
  }

  function addStep(button) {
    var cause = button.getAttribute("data-cause");
    var list = form.querySelector('.step-list[data-cause="' + cause + '"]');
    var template = document.getElementById("step-template");
    if (!list || !template) return;
    var holder = document.createElement("ol");
    holder.innerHTML = template.innerHTML.replace(/__CAUSE__/g, cause).replace(/__INDEX__/g, "0").replace(/__NUMBER__/g, "1");
    var row = holder.querySelector(".step-row");
    list.appendChild(row);
    renumber(list);
    row.querySelector("textarea").focus();
    say("Step " + stepRows(list).length + " added.");
  }

  function moveStep(button, kind) {
    var row = button.closest(".step-row");
    var list = row.parentNode;
    if (button.getAttribute("aria-disabled") === "true") {
      say(kind === "up" ? "This is already the first step." : "This is already the last step.");
      return;
    }
    // Move the neighbour rather than the row itself, so the focused button never leaves the document.
    if (kind === "up") {
      list.insertBefore(row.previousElementSibling, row.nextElementSibling);
    } else {
      list.insertBefore(row.nextElementSibling, row);
    }
    renumber(list);
    button.focus();
    say("Step moved to position " + (stepRows(list).indexOf(row) + 1) + " of " + stepRows(list).length + ".");
  }

  function removeStep(button) {
    var row = button.closest(".step-row");
    var list = row.parentNode;
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber(list);
    var target = next ? next.querySelector("textarea") : document.getElementById("cause-" + list.getAttribute("data-cause") + "-step-add");
    if (target) target.focus();
    say("Step removed.");
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-step]");
    if (!button || !form.contains(button)) return;
    event.preventDefault();
    var kind = button.getAttribute("data-step");
    if (kind === "add") { addStep(button); }
    else if (kind === "up" || kind === "down") { moveStep(button, kind); }
    else if (kind === "remove") { removeStep(button); }
  });

  // Drag a step by its handle (the Move buttons do the same from the keyboard).
  var dragged = null;
  form.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest(".drag-handle");
    if (handle) { handle.closest(".step-row").draggable = true; }
  });
  form.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest(".step-row");
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "step");
  });
  form.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = event.target.closest && event.target.closest(".step-row");
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextElementSibling : over);
  });
  form.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });
  form.addEventListener("dragend", function () {
    if (!dragged) return;
    var list = dragged.parentNode;
    dragged.classList.remove("dragging");
    dragged.draggable = false;
    renumber(list);
    say("Step moved to position " + (stepRows(list).indexOf(dragged) + 1) + ".");
    dragged = null;
  });

  // ------------------------------------------------------------------ pickers

  function rawOf(picker) { return picker.querySelector(".picker-raw"); }
  function searchOf(picker) { return picker.querySelector(".picker-search"); }
  function optionsOf(picker) { return picker.querySelector(".picker-options"); }

  function valuesOf(picker) {
    return rawOf(picker).value.split(/[,\n]/).map(function (v) { return v.trim(); }).filter(Boolean);
  }

  function renderChips(picker, values) {
    var list = picker.querySelector(".chips");
    list.textContent = "";
    values.forEach(function (value) {
      var item = document.createElement("li");
      item.className = "chip";
      var code = document.createElement("code");
      code.textContent = value;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("data-value", value);
      remove.setAttribute("aria-label", "Remove " + value);
      remove.textContent = "×";
      item.appendChild(code);
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function setValues(picker, values) {
    rawOf(picker).value = values.join(", ");
    renderChips(picker, values);
  }

  function clearOptions(picker) { optionsOf(picker).textContent = ""; }

  document.querySelectorAll(".picker").forEach(function (picker) {
    var ui = picker.querySelector(".picker-ui");
    var label = picker.querySelector("label");
    ui.hidden = false;
    picker.classList.add("picker-on");
    label.htmlFor = searchOf(picker).id;
  });

  var searchForm = document.getElementById("picker-search");
  if (searchForm) searchForm.addEventListener("submit", function (event) { event.preventDefault(); });

  document.addEventListener("click", function (event) {
    var option = event.target.closest(".picker-option");
    var remove = event.target.closest(".chip-remove");
    var picker = (option || remove) && (option || remove).closest(".picker");
    if (!picker) return;
    event.preventDefault();
    var values = valuesOf(picker);
    if (option) {
      var value = option.getAttribute("data-pick");
      if (values.indexOf(value) === -1) values.push(value);
      setValues(picker, values);
      searchOf(picker).value = "";
      clearOptions(picker);
      searchOf(picker).focus();
      say("Added " + value + ".");
    } else {
      var gone = remove.getAttribute("data-value");
      setValues(picker, values.filter(function (v) { return v !== gone; }));
      searchOf(picker).focus();
      say("Removed " + gone + ".");
    }
  });

  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest(".picker");
    if (!picker) return;
    var options = Array.prototype.slice.call(picker.querySelectorAll(".picker-option"));
    var here = options.indexOf(event.target);
    if (event.target.classList.contains("picker-search")) {
      if (event.key === "Enter") {
        event.preventDefault();  // never submit: pick the first match instead
        if (options.length) options[0].click();
      } else if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        options[0].focus();
      } else if (event.key === "Escape") {
        clearOptions(picker);
      }
    } else if (here !== -1) {
      if (event.key === "ArrowDown") { event.preventDefault(); options[Math.min(here + 1, options.length - 1)].focus(); }
      else if (event.key === "ArrowUp") { event.preventDefault(); (here === 0 ? searchOf(picker) : options[here - 1]).focus(); }
      else if (event.key === "Escape") { event.preventDefault(); clearOptions(picker); searchOf(picker).focus(); }
    }
  });

  // ------------------------------------------------------------------ errors

  // Each field named in the error summary says so to assistive technology.
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field && /^(INPUT|TEXTAREA|SELECT)$/.test(field.tagName)) field.setAttribute("aria-invalid", "true");
  });

  // ------------------------------------------------------------------ preview

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "editor-preview") return;
    var heading = event.detail.target.querySelector("#preview-heading, .error-summary h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
})();
