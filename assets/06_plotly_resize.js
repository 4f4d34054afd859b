// A page draws each chart once, not twice (issue 20). dcc.Graph's resize detector calls
// Plotly.Plots.resize when a chart is first drawn and when its box is observed to change, and
// plotly.js then redraws the whole chart even when its size has not changed: opening a page
// of seven charts drew each of them a second time, about 0.4 s in all. The resize is
// skipped when the chart already has the size it would be given (autosized, shown, width and
// height within a pixel); a real change of size (a window resized, a phone turned, a box
// growing for more bars) is drawn as before. Checked by tests/browser/test_redraws.py.
(function () {
  "use strict";

  function sized(el) {
    var full = el && el._fullLayout;
    if (!full || full.autosize === false || el.offsetParent === null) return false;
    var style = window.getComputedStyle(el);
    return (
      Math.abs(parseFloat(style.width) - full.width) < 1 &&
      Math.abs(parseFloat(style.height) - full.height) < 1
    );
  }

  function guard(Plotly) {
    if (!Plotly || !Plotly.Plots || !Plotly.Plots.resize || Plotly.Plots.resize.sizedOnly) return;
    var resize = Plotly.Plots.resize;
    var guarded = function (gd) {
      var el = typeof gd === "string" ? document.getElementById(gd) : gd;
      if (sized(el)) return Promise.resolve(el);
      return resize.apply(this, arguments);
    };
    guarded.sizedOnly = true;
    Plotly.Plots.resize = guarded;
  }

  if (window.Plotly) {
    guard(window.Plotly); // the partial bundle of assets/, loaded before this file
  } else {
    // (Dash's own plotly.js, fetched when the first graph mounts)
    var plotly;
    Object.defineProperty(window, "Plotly", {
      configurable: true,
      get: function () {
        return plotly;
      },
      set: function (value) {
        plotly = value;
        guard(value);
      },
    });
  }
})();
