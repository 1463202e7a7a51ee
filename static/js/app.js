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
