// The board pack (/pack): its charts carry their own views, so the frame's filter panel,
// summary bar and link notices, which are about the link's filters, are hidden there (a
// filter changed there would also write the pack's link away). The body is marked from the
// start, as for the presentation, so that nothing moves as the page arrives.
(function () {
  "use strict";

  function mark() {
    if (!document.body) return;
    document.body.classList.toggle("packing", /\/pack\/?$/.test(window.location.pathname));
  }
  new MutationObserver(mark).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", mark);
  mark();
})();
