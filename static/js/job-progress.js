// Follows a background job on the page that shows it: updates the progress bar and the current
// step, and reloads the page once the job has finished so its results appear. Without
// JavaScript, the page's <noscript> refresh does the same, less smoothly.
(function () {
  "use strict";
  const box = document.querySelector("[data-job-status-url]");
  if (!box) {
    return;
  }
  const url = box.getAttribute("data-job-status-url");
  const bar = box.querySelector("progress");
  const message = box.querySelector("[data-job-message]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (job) {
        if (!job.active) {
          window.location.reload();
          return;
        }
        if (job.percent !== null) {
          bar.value = job.percent;
          bar.textContent = job.percent + " %";
        }
        if (job.message) {
          message.textContent = job.message;
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
