// A link to a section of a page (/glossary#guests, from a guest's sentence at the top of every
// page) arrives before the page is drawn: Dash renders its content in the browser, so the
// browser finds no such section when it loads and stays at the top. Once the section is
// drawn, it is scrolled into view and takes the focus, once per address.
(function () {
  "use strict";

  var done = "";
  function reach() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2 || done === window.location.href) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return;
    done = window.location.href;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }

  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      reach();
    });
  }
  new MutationObserver(soon).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  window.addEventListener("hashchange", function () { done = ""; soon(); });
  document.addEventListener("DOMContentLoaded", soon);
})();
