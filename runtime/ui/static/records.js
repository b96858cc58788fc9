// Lists, record pages and forms: narrowing dependent picklists, lookup search as you
// type, and a confirmation before deleting. Every form works without this file.
(function () {
  "use strict";

  // A dependent picklist offers only the options its controlling field's value allows.
  function narrow(select) {
    var controlling = document.getElementById("field-" + select.getAttribute("data-depends-on"));
    if (!controlling) { return; }
    var allowed;
    try { allowed = JSON.parse(select.getAttribute("data-allowed") || "{}"); } catch (e) { return; }
    var value = controlling.type === "checkbox" ? String(controlling.checked) : controlling.value;
    var ok = allowed[value] || [];
    Array.prototype.forEach.call(select.options, function (option) {
      var keep = option.value === "" || ok.indexOf(option.value) >= 0;
      option.hidden = !keep;
      option.disabled = !keep;
      if (!keep && option.selected) { select.value = ""; }
    });
  }
  document.querySelectorAll("select[data-depends-on]").forEach(function (select) {
    var controlling = document.getElementById("field-" + select.getAttribute("data-depends-on"));
    if (!controlling) { return; }
    narrow(select);
    controlling.addEventListener("change", function () { narrow(select); });
  });

  // Lookup search as you type: JSON from /app/lookup/{object}?q=.
  document.querySelectorAll(".lookup[data-lookup]").forEach(function (box) {
    var target = box.getAttribute("data-lookup");
    var input = box.querySelector("input");
    if (!target || !input) { return; }
    var search = box.querySelector(".lookup-search");
    if (search) { search.hidden = true; }  // the search page is for browsers without script
    var scope = "&for=" + encodeURIComponent(box.getAttribute("data-lookup-for") || "") +
      "&field=" + encodeURIComponent(box.getAttribute("data-lookup-field") || "");
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = input.name; hidden.value = input.value;
    input.removeAttribute("name");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    var name = box.querySelector(".lookup-name");
    if (name) { input.value = name.textContent; name.hidden = true; }
    box.appendChild(hidden);
    var list = document.createElement("ul");
    list.className = "lookup-results"; list.hidden = true;
    list.id = input.id + "-results";
    input.setAttribute("aria-controls", list.id);
    box.appendChild(list);
    var timer = null;
    function show(records) {
      list.textContent = "";
      records.forEach(function (record) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button"; button.textContent = record.name;
        button.addEventListener("click", function () {
          hidden.value = record.id; input.value = record.name; list.hidden = true; input.focus();
        });
        item.appendChild(button); list.appendChild(item);
      });
      list.hidden = records.length === 0;
    }
    input.addEventListener("input", function () {
      if (input.value === "") { hidden.value = ""; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch("/app/lookup/" + encodeURIComponent(target) + "?q=" + encodeURIComponent(input.value) + scope,
              {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {records: []}; })
          .then(function (body) { show(body.records || []); })
          .catch(function () { list.hidden = true; });
      }, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { list.hidden = true; }
      if (event.key === "ArrowDown" && !list.hidden) {
        var first = list.querySelector("button"); if (first) { event.preventDefault(); first.focus(); }
      }
    });
  });

  // Ask before a delete.
  document.addEventListener("submit", function (event) {
    var button = event.submitter || (event.target && event.target.querySelector("[data-confirm]"));
    var text = button && button.getAttribute && button.getAttribute("data-confirm");
    if (text && !window.confirm(text)) { event.preventDefault(); }
  });
})();
