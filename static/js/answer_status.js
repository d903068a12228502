/*
 * Keeps a question's status and value consistent while answering (progressive enhancement:
 * without JavaScript the server does the same when saving). Choosing a value selects "Answer";
 * choosing "Don't know" or "Not applicable" clears the value, so what is on the page is what
 * will be saved.
 */
(function () {
  "use strict";

  function byName(root, name) {
    return Array.prototype.filter.call(root.querySelectorAll("input, textarea, select"), function (el) {
      return el.name === name;
    });
  }

  function onChange(event) {
    var target = event.target;
    var block = target.closest && target.closest("fieldset.question");
    if (!block || !target.name || /-justification$/.test(target.name)) {
      return;
    }
    if (/-status$/.test(target.name)) {
      if (target.checked && target.value !== "answered") {
        byName(block, target.name.replace(/-status$/, "")).forEach(function (el) {
          if (el.type === "radio" || el.type === "checkbox") {
            el.checked = false;
          } else {
            el.value = "";
          }
        });
      }
      return;
    }
    var chosen = target.type === "radio" || target.type === "checkbox" ? target.checked : target.value.trim() !== "";
    if (chosen) {
      byName(block, target.name + "-status").forEach(function (el) {
        if (el.type === "radio") {
          el.checked = el.value === "answered";
        }
      });
    }
  }

  document.addEventListener("change", onChange, true);
  document.addEventListener("input", onChange, true);
})();
