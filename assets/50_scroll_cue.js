// A chart or a table wider than a phone's screen (the themes page's panels side by side)
// scrolls sideways; its frame (.scroll-cue: dashboard/components/cards.py, tables.py) shows
// a fade and an arrow on each side that has more to see, so that what is out of view is not
// missed (issue 28). The frame is marked more-right / more-left from the scroll position.
(function () {
  "use strict";

  function mark(box) {
    var frame = box.parentElement;
    if (!frame || !frame.classList.contains("scroll-cue")) return;
    var room = box.scrollWidth - box.clientWidth;
    frame.classList.toggle("more-left", box.scrollLeft > 2);
    frame.classList.toggle("more-right", room - box.scrollLeft > 2);
  }

  function markAll() {
    document.querySelectorAll(".scroll-cue > *").forEach(mark);
  }

  document.addEventListener(
    "scroll",
    function (event) {
      var box = event.target;
      if (box && box.parentElement && box.parentElement.classList) mark(box);
    },
    true // (a scroll does not bubble)
  );
  window.addEventListener("resize", markAll);
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      markAll();
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
