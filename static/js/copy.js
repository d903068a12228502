// Copy buttons: <button data-copy="ID-of-an-input" data-copied-text="Copied" hidden>. The button
// stays hidden without JavaScript (the input is read-only and selectable by hand).
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    var status = button.parentNode.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var done = function () {
        if (status) {
          status.textContent = button.getAttribute("data-copied-text") || "";
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          // Clipboard refused (permissions): the text stays selected for Ctrl+C.
          field.focus();
        });
      } else {
        // Plain HTTP on another host than localhost: the older API still copies a selection.
        if (document.execCommand("copy")) {
          done();
        }
      }
    });
  });
})();
