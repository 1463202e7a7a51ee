// Starts the DKFDS components (mobile menu, accordions, error summaries) on every page, and again
// on content that htmx swaps in. Loaded with `defer` after dkfds.min.js and htmx.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS) {
    window.DKFDS.init();
  }
});

document.addEventListener("htmx:afterSettle", function (event) {
  if (window.DKFDS) {
    window.DKFDS.init({ scope: event.target });
  }
});

// A job's page that was waiting for a file starts the download once the job is done (the link
// stays on the page for a second try).
document.addEventListener("htmx:afterSettle", function () {
  var link = document.querySelector("a[data-auto-download]:not([data-started])");
  if (link) {
    link.setAttribute("data-started", "true");
    link.click();
  }
});
