/*
 * Autosave for the questionnaire (progressive enhancement: without JavaScript the buttons
 * save everything). Changes are sent in the background a few seconds after typing stops and
 * when the page is left; the status line says when the answers were last saved. A save whose
 * page shows an answer someone else has changed since is refused by the server (409): the
 * message lists who changed what and autosave pauses until the person decides, so nobody's
 * answers are overwritten silently. Saves by others of answers not on this page do not stop it.
 */
(function () {
  "use strict";

  var DELAY_MS = 3000;
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var status = form.querySelector("[data-autosave-status]");
  var revisionInput = form.querySelector("[data-revision]");
  var timer = null;
  var dirty = false;
  var saving = false;
  var paused = false;
  var submitting = false;

  function say(text, kind) {
    if (!status) {
      return;
    }
    status.textContent = text;
    status.className = "autosave-status" + (kind ? " " + kind : "");
  }

  function formData() {
    return new FormData(form);
  }

  function markFields(errors) {
    var marked = form.querySelectorAll("[data-autosave-invalid]");
    Array.prototype.forEach.call(marked, function (element) {
      element.removeAttribute("aria-invalid");
      element.removeAttribute("data-autosave-invalid");
    });
    Object.keys(errors || {}).forEach(function (name) {
      var code = name.replace(/-(status|justification)$/, "");
      var block = document.getElementById("q-" + code);
      if (block) {
        block.setAttribute("aria-invalid", "true");
        block.setAttribute("data-autosave-invalid", "");
      }
    });
  }

  function describeConflict(body) {
    var lines = (body.changes || []).map(function (change) {
      return change.question_code + " (" + (change.changed_by || "?") + ")";
    });
    return body.message + (lines.length ? " " + lines.join(", ") : "");
  }

  function save() {
    timer = null;
    if (!dirty || saving || paused || submitting) {
      return;
    }
    saving = true;
    dirty = false;
    say(form.getAttribute("data-saving-text") || "…", "");
    fetch(url, {
      method: "POST",
      body: formData(),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { code: response.status, body: body };
        });
      })
      .then(function (result) {
        var body = result.body;
        if (result.code === 200) {
          if (revisionInput) {
            revisionInput.value = body.revision;
          }
          markFields(body.errors);
          say(body.message, Object.keys(body.errors || {}).length ? "failed" : "saved");
        } else if (result.code === 409) {
          paused = true;
          say(describeConflict(body), "conflict");
        } else {
          paused = result.code === 423 || result.code === 403;
          say(body.message, "failed");
        }
      })
      .catch(function () {
        dirty = true;
        say(form.getAttribute("data-offline-text") || "—", "failed");
      })
      .then(function () {
        saving = false;
        if (dirty && !paused) {
          schedule();
        }
      });
  }

  function schedule() {
    dirty = true;
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(save, DELAY_MS);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () {
    // The buttons save the same data; a background save racing them would only conflict.
    submitting = true;
    if (timer) {
      window.clearTimeout(timer);
    }
  });
  window.addEventListener("pagehide", function () {
    if (dirty && !paused && !submitting && navigator.sendBeacon) {
      navigator.sendBeacon(url, formData());
      dirty = false;
    }
  });
})();
