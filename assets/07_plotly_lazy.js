// Charts out of sight are drawn when they come into view (issue 20). A page's callback sends
// every chart's figure at once and plotly.js draws them one after another, about 0.1 s each:
// on /efficiency seven, of which two are on a laptop's screen. A chart more than a quarter
// screen below what is shown (or hidden, like the phone's ranked countries on a laptop) keeps
// its newest figure until it nears the view, and is drawn then; one in view is drawn at once,
// as before. Printing draws every chart first. Checked by tests/browser/test_redraws.py.
(function () {
  "use strict";

  var AHEAD = 0.25; // how far below the view (in screens) a chart is still drawn at once
  var waiting = new Map(); // graph div -> {args, done: [[resolve, reject], ...]}
  var react = null;
  var watcher = null;

  function near(el) {
    if (el.offsetParent === null) return false; // hidden (display: none)
    var box = el.getBoundingClientRect();
    var height = window.innerHeight || document.documentElement.clientHeight;
    return box.bottom > -AHEAD * height && box.top < (1 + AHEAD) * height;
  }

  function draw(el) {
    var job = waiting.get(el);
    if (!job) return;
    waiting.delete(el);
    if (watcher) watcher.unobserve(el);
    Promise.resolve(react.apply(window.Plotly, [el].concat(job.args))).then(
      function (value) {
        job.done.forEach(function (d) { d[0](value); });
      },
      function (error) {
        job.done.forEach(function (d) { d[1](error); });
      }
    );
  }

  function drawAll() {
    Array.from(waiting.keys()).forEach(draw);
  }

  function install(Plotly) {
    if (!Plotly || !Plotly.react || Plotly.react.lazy) return;
    react = Plotly.react;
    if ("IntersectionObserver" in window) {
      watcher = new IntersectionObserver(
        function (entries) {
          entries.forEach(function (entry) {
            if (entry.isIntersecting) draw(entry.target);
          });
        },
        { rootMargin: "25% 0px 25% 0px" }
      );
    }
    var lazy = function (gd) {
      var el = typeof gd === "string" ? document.getElementById(gd) : gd;
      var args = Array.prototype.slice.call(arguments, 1);
      if (!watcher || !el || !el.getBoundingClientRect || near(el)) {
        if (el && waiting.has(el)) {
          // a newer figure for a chart still waiting: the old one's callers get this drawing
          var old = waiting.get(el);
          waiting.delete(el);
          watcher.unobserve(el);
          var drawn = react.apply(this, arguments);
          Promise.resolve(drawn).then(
            function (v) { old.done.forEach(function (d) { d[0](v); }); },
            function (e) { old.done.forEach(function (d) { d[1](e); }); }
          );
          return drawn;
        }
        return react.apply(this, arguments);
      }
      return new Promise(function (resolve, reject) {
        var job = waiting.get(el) || { done: [] };
        job.args = args; // the newest figure wins
        job.done.push([resolve, reject]);
        waiting.set(el, job);
        watcher.observe(el);
      });
    };
    lazy.lazy = true;
    Plotly.react = lazy;
  }

  window.addEventListener("beforeprint", drawAll);
  if (window.Plotly) {
    install(window.Plotly);
  } else {
    // (Dash's own plotly.js, fetched when the first graph mounts; a setter already there,
    // 06_plotly_resize.js's, is kept)
    var before = Object.getOwnPropertyDescriptor(window, "Plotly");
    var plotly;
    Object.defineProperty(window, "Plotly", {
      configurable: true,
      get: function () { return plotly; },
      set: function (value) {
        if (before && before.set) before.set(value);
        plotly = value;
        install(value);
      },
    });
  }
})();
