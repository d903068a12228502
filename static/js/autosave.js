/*
 * Autosave for the questionnaire (progressive enhancement: without JavaScript the buttons
 * save everything). Changes are sent in the background a few seconds after typing stops and
 * when the page is left; the status line says when the answers were last saved. A save whose
 * page shows an answer someone else has changed since is refused by the server (409): the
 * message lists who changed what and autosave pauses until the person decides, so nobody's
 * answers are overwritten silently. Saves by others of answers not on this page do not stop it.
 *
 * When the session has ended (expiry, idle time-out, signing out in another tab) the server
 * answers 401, or 403 "csrf" when the form's token is stale: the page says so and offers to
 * sign in again in a new tab; what was typed stays here and is saved when this tab regains
 * focus or "Save now" is pressed, with the token of the new session read from its cookie.
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
  var signedOut = false;
  var sessionEnded = form.querySelector("[data-session-ended]");
  var csrfCookie = form.getAttribute("data-csrf-cookie") || "csrftoken";

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function refreshToken() {
    // Signing in again rotates the CSRF token: use the new session's one, from its cookie.
    var token = cookie(csrfCookie);
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (token && input && input.value !== token) {
      input.value = token;
      return true;
    }
    return false;
  }

  function showSignedOut(ended) {
    signedOut = ended;
    paused = ended;
    if (sessionEnded) {
      sessionEnded.hidden = !ended;
    }
  }

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
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("application/json") === -1) {
          // A login page or another HTML page instead of an answer: the session is gone.
          return { code: 401, body: {} };
        }
        return response.json().then(function (body) {
          return { code: response.status, body: body };
        });
      })
      .then(function (result) {
        var body = result.body;
        if (result.code === 401 || (result.code === 403 && body.status_code === "csrf")) {
          dirty = true;
          if (result.code === 403 && refreshToken() && !signedOut) {
            // Signed in again elsewhere: the session is fine, only the token was stale.
            signedOut = true;
            window.setTimeout(save, 0);
            return;
          }
          showSignedOut(true);
          say(sessionEnded ? "" : body.message || "", "failed");
          return;
        }
        showSignedOut(false);
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

  function retry() {
    if (!signedOut) {
      return;
    }
    refreshToken();
    paused = false;
    dirty = true;
    save();
  }

  var retryButton = form.querySelector("[data-retry]");
  if (retryButton) {
    retryButton.addEventListener("click", retry);
  }
  // Back from the sign-in tab: try again at once.
  window.addEventListener("focus", retry);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      retry();
    }
  });

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () {
    // The buttons save the same data; a background save racing them would only conflict.
    submitting = true;
    refreshToken();
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
