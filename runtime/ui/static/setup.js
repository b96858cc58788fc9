// hulian config UI: the live formula check. The pages work without it: the same problems
// come back beside the input when the form is sent.
(function () {
  "use strict";

  function check(box) {
    var input = box.querySelector("textarea, input");
    var status = box.querySelector(".formula-status");
    if (!input || !status) { return; }
    var timer = null;
    var asked = 0;
    function show(text, kind) {
      status.textContent = text;
      status.classList.toggle("is-error", kind === "error");
      status.classList.toggle("is-ok", kind === "ok");
    }
    function run() {
      var text = input.value;
      if (!text.trim()) { show("", ""); return; }
      var query = new URLSearchParams({
        object: box.getAttribute("data-object") || "",
        context: box.getAttribute("data-context") || "formula",
        type: box.getAttribute("data-return-type") || "",
        formula: text
      });
      var mine = ++asked;
      fetch(box.getAttribute("data-formula-check") + "?" + query.toString(),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (found) {
          if (mine !== asked) { return; }  // a newer check is on its way
          if (found.ok) {
            show((box.getAttribute("data-ok-text") || "OK: {type}").replace("{type}", found.type), "ok");
            input.removeAttribute("aria-invalid");
          } else {
            var where = found.line ? found.line + ":" + found.column + ": " : "";
            var text = where + found.message + (found.hint ? " (" + found.hint + ")" : "");
            if (found.excerpt) { text += "\n" + found.excerpt; }
            show(text, "error");
            input.setAttribute("aria-invalid", "true");
          }
        })
        .catch(function () { show("", ""); });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    if (input.value.trim()) { run(); }
  }

  window.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formula-check]").forEach(check);
  });
})();

// hulian config UI: the layout editor's drag and drop. Without script (or from the
// keyboard) the ↑ ↓ buttons post the form and the page comes back with the field moved;
// with it, dragging a field row (or pressing those buttons) moves the row here, and the
// row's hidden "field" input (<group>/<field>) follows it, so the form posts the order
// shown.
(function () {
  "use strict";

  function groupOf(list) { return list.getAttribute("data-group") || ""; }

  function renumber(row) {
    var input = row.querySelector('input[name="field"]');
    var list = row.parentElement;
    if (input && list) {
      input.value = groupOf(list) + "/" + row.getAttribute("data-field");
    }
  }

  function moveRow(editor, row, direction) {
    var lists = Array.prototype.slice.call(editor.querySelectorAll("ol.layout-fields"));
    var list = row.parentElement;
    var sibling = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (sibling) {
      list.insertBefore(row, direction === "up" ? sibling : sibling.nextElementSibling);
    } else {
      var next = lists[lists.indexOf(list) + (direction === "up" ? -1 : 1)];
      if (!next) { return; }
      if (direction === "up") { next.appendChild(row); } else { next.insertBefore(row, next.firstElementChild); }
    }
    renumber(row);
  }

  function editor(form) {
    var dragged = null;
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button) { return; }
      var row = button.closest("li.layout-field");
      if (!row) { return; }  // a section's buttons still post the form
      event.preventDefault();
      moveRow(form, row, button.getAttribute("data-move"));
      button.focus();
    });
    form.addEventListener("dragstart", function (event) {
      var row = event.target.closest && event.target.closest("li.layout-field");
      if (!row) { return; }
      dragged = row;
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.getAttribute("data-field"));
    });
    form.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("is-dragging"); }
      dragged = null;
    });
    form.addEventListener("dragover", function (event) {
      if (!dragged) { return; }
      var list = event.target.closest("ol.layout-fields");
      if (!list) { return; }
      event.preventDefault();
      var over = event.target.closest("li.layout-field");
      if (over === dragged) { return; }
      if (over) {
        var box = over.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? over.nextElementSibling : over);
      } else {
        list.appendChild(dragged);
      }
    });
    form.addEventListener("drop", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      renumber(dragged);
    });
  }

  window.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-layout-editor]").forEach(editor);
  });
})();
