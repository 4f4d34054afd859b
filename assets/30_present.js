// Presentation mode (/present, dashboard/pages/present.py): the dashboard's frame hidden, and
// the keys of a presenter. Arrow keys, PageUp/PageDown (what a clicker sends), space, Home and
// End move between slides (by pressing the page's own buttons, so the slide number stays in the
// link's #fragment); F toggles full screen; Esc goes back to the page the presentation was
// entered from, keeping the filters.
(function () {
  "use strict";

  var FROM = "vsla-present-from";

  function presenting() {
    return !!document.getElementById("present-root");
  }

  function press(id) {
    var button = document.getElementById(id);
    if (button && !button.disabled) button.click();
  }

  function go(path) {
    // Dash's own links move like this: the URL changes, then dcc.Location hears of it.
    window.history.pushState({}, "", path);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }

  function remembered() {
    try {
      return window.sessionStorage.getItem(FROM);
    } catch (e) {
      return null; // storage blocked: leave to the overview
    }
  }

  function remember(path) {
    try {
      window.sessionStorage.setItem(FROM, path);
    } catch (e) {
      /* storage blocked */
    }
  }

  function leave() {
    if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen();
    var from = remembered() || "/";
    if (from.indexOf("/present") === 0) from = "/";
    go(from + window.location.search);
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      if (document.exitFullscreen) document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      var asked = document.documentElement.requestFullscreen();
      if (asked && asked.catch) asked.catch(function () {});
    }
  }

  function slideTo(n) {
    var slides = document.querySelectorAll(".present-slide");
    if (!slides.length) return;
    n = Math.max(1, Math.min(slides.length, n));
    go(window.location.pathname + window.location.search + "#" + n);
  }

  document.addEventListener("keydown", function (event) {
    if (!presenting() || event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key;
    var on = event.target && event.target.closest ? event.target.closest("button, a, input") : null;
    if (on && (key === " " || key === "Enter")) return; // the focused control's own key
    var back = key === " " && event.shiftKey;
    if (!back && (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown" || key === " ")) {
      press("present-next");
    } else if (back || key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp") {
      press("present-prev");
    } else if (key === "Home") {
      slideTo(1);
    } else if (key === "End") {
      slideTo(document.querySelectorAll(".present-slide").length);
    } else if (key === "f" || key === "F") {
      toggleFullscreen();
    } else if (key === "Escape") {
      // Esc first leaves full screen (the browser does that itself), then the presentation
      if (document.fullscreenElement) return;
      leave();
    } else {
      return;
    }
    event.preventDefault();
  });

  // (in the capture phase: before the link's own handler has moved to /present)
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("a, button") : null;
    if (!target) return;
    if (target.id === "present-fullscreen") toggleFullscreen();
    if (target.id === "present-leave") leave();
    if (target.classList.contains("present-link")) {
      // where Esc will return to
      remember(window.location.pathname);
    }
  }, true);

  // The frame of the dashboard (navigation, filters, footer) is hidden while presenting, and
  // from the start when the page opened is the presentation: the frame drawn and then hidden
  // moved the slide by the navbar's height as it arrived (layout shift, issue 28).
  function atPresent() {
    return /\/present\/?$/.test(window.location.pathname);
  }
  function mark() {
    if (document.body) document.body.classList.toggle("presenting", presenting() || atPresent());
  }
  new MutationObserver(mark).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", mark);
  mark();
})();
