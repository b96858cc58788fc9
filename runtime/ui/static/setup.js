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
