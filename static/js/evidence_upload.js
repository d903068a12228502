/*
 * Evidence uploads: size and type are checked in the browser before sending (progressive
 * enhancement), so nobody waits for a 25 MB upload to be refused. The server checks again,
 * by content. The limit and the messages come from the field's data attributes.
 */
(function () {
  "use strict";

  var input = document.querySelector('input[type="file"][data-max-bytes]');
  if (!input || !input.form) {
    return;
  }
  var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
  var accepted = (input.getAttribute("accept") || "").toLowerCase().split(",");
  var errorId = input.id + "_client_error";

  function problem(file) {
    if (file.size > maxBytes) {
      return input.getAttribute("data-too-large");
    }
    var name = file.name.toLowerCase();
    var known = accepted.some(function (ending) {
      return ending && name.slice(-ending.length) === ending;
    });
    return known ? "" : input.getAttribute("data-wrong-type");
  }

  function show(message) {
    var error = document.getElementById(errorId);
    var describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== errorId;
    });
    if (!message) {
      if (error) {
        error.remove();
      }
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", describedBy.join(" "));
      return;
    }
    if (!error) {
      error = document.createElement("p");
      error.id = errorId;
      error.className = "field-error";
      error.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", error);
    }
    error.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", describedBy.concat([errorId]).join(" "));
  }

  function check() {
    var file = input.files && input.files[0];
    var message = file ? problem(file) : "";
    show(message);
    return !message;
  }

  input.addEventListener("change", check);
  input.form.addEventListener("submit", function (event) {
    if (!check()) {
      event.preventDefault();
      input.focus();
    }
  });
})();
