// The dashboard's clientside callbacks: what Dash runs in the browser, registered in Python as
// ClientsideFunction(namespace, name) (dashboard/components/panel.py, shell.py,
// dashboard/pages/present.py). They live here, a script of this site, rather than as strings
// in the Python: Dash would write each string into the page as an inline script, which the
// Content-Security-Policy (dashboard/guard.py) then has to allow by its hash.
(function () {
  "use strict";

  var clientside = (window.dash_clientside = window.dash_clientside || {});

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  // The slide asked for by the link's #fragment, kept between 1 and the number of slides.
  function slideNumber(hash, total) {
    var n = parseInt((hash || "").replace("#", ""), 10);
    if (!(n >= 1)) n = 1;
    if (n > total) n = total;
    return n;
  }

  clientside.frame = {
    // A phone: the filter panel, opened over the results, closes once a choice is made (a
    // laptop's panel is always shown); the summary above the results says what is chosen.
    closeFilters: function () {
      if (window.innerWidth >= 992) return noUpdate();
      window.setTimeout(function () {
        var top = document.getElementById("filters-toggle");
        if (top && top.getBoundingClientRect().top < 0) top.scrollIntoView();
      }, 400);
      return false;
    },

    // The tab's title: the page's name and the site's, as the navbar shows them (in the
    // language of the page). After the path and the brand come the menu's names, then its
    // links (a link's path without its query string names its page).
    pageTitle: function (pathname, brand) {
      var rest = Array.prototype.slice.call(arguments, 2);
      var names = rest.slice(0, rest.length / 2);
      var hrefs = rest.slice(rest.length / 2);
      var key = (pathname || "/").replace(/\/+$/, "") || "/";
      var name = null;
      hrefs.forEach(function (href, i) {
        var path = typeof href === "string" ? href.split("?")[0].replace(/\/+$/, "") || "/" : "";
        if (path === key && name === null) name = names[i];
      });
      var last = Array.isArray(brand) ? brand[brand.length - 1] : brand;
      if (last && last.props) last = last.props.children;
      var site = (typeof last === "string" && last.trim()) || "Savings groups network";
      document.title = (typeof name === "string" && name ? name + " · " : "") + site;
      return noUpdate();
    },

    // A click on a chart, passed on to the server's drill-down (dashboard/components/
    // shell.py): a server callback on every chart's clickData would be called whenever a
    // page's charts appear, and ask the server for nothing on every page opened (issue 20).
    passClick: function () {
      var fired = window.dash_clientside.callback_context.triggered || [];
      var click = fired.length ? fired[0].value : null;
      return click ? click : noUpdate();
    },
  };

  clientside.present = {
    // Which slide is shown: the #fragment's; the counter and the buttons follow.
    showSlide: function (hash, _children, ids) {
      var total = ids.length;
      var n = slideNumber(hash, total);
      var classes = ids.map(function (id) {
        return "present-slide" + (id.index === n ? " active" : "");
      });
      var counter = total ? n + " / " + total : "";
      return [classes, counter, n <= 1, n >= total];
    },

    // The previous and next buttons write the slide's number into the #fragment.
    move: function (_prev, _next, hash, ids) {
      var total = ids.length;
      var fired = window.dash_clientside.callback_context.triggered[0] || {};
      // the buttons appear with the page: that is not a press
      if (!fired.value) return noUpdate();
      var trigger = fired.prop_id || "";
      var n = slideNumber(hash, total);
      if (trigger.indexOf("present-next") === 0) n = Math.min(total, n + 1);
      if (trigger.indexOf("present-prev") === 0) n = Math.max(1, n - 1);
      return "#" + n;
    },
  };

  // The board pack being built (dashboard/web/pages/pack.py): its items as the pack's link
  // writes them, "<chart id>:<the view's query string, encoded>", kept by the browser.
  var PACK_MOST = 12;

  function packItems(search) {
    return (search || "")
      .replace(/^\?/, "")
      .split("&")
      .filter(function (pair) {
        return pair.indexOf("item=") === 0;
      })
      .map(function (pair) {
        return pair.slice(5);
      });
  }

  function linkLang(search) {
    var match = /[?&]lang=([a-z]{2})(&|$)/.exec(search || "");
    return match ? match[1] : "";
  }

  clientside.explore = {
    // The indicator explorer's tab, shown at once (the link follows on the server).
    tab: function (tab) {
      return "ex-panes show-" + (["chart", "map", "table"].indexOf(tab) >= 0 ? tab : "chart");
    },

    // "Present": the chart over the whole screen (the browser's full screen where it
    // allows it; the card over the whole window in any case); pressed again, or Esc
    // (assets/36_explore.js), the page is back.
    present: function () {
      var body = document.body;
      if (body.classList.contains("ex-presenting")) {
        if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen();
        body.classList.remove("ex-presenting");
      } else {
        body.classList.add("ex-presenting");
        var root = document.documentElement;
        if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
      }
      window.dispatchEvent(new Event("resize"));
      return noUpdate();
    },
  };

  clientside.pack = {
    // "Add to board pack": the chart's id and the view the link shows now.
    add: function (_clicks, search, items) {
      var fired = window.dash_clientside.callback_context.triggered[0] || {};
      if (!fired.value) return noUpdate(); // (menus drawn with a page: not a press)
      var prop = fired.prop_id || "";
      var id = JSON.parse(prop.slice(0, prop.lastIndexOf(".")));
      var kept = (items || []).slice();
      if (kept.length >= PACK_MOST) return noUpdate();
      kept.push(encodeURIComponent(id.id) + ":" + encodeURIComponent(search || ""));
      return kept;
    },

    // An opened pack link is the pack being built (reordered, titled, shared).
    fromLink: function (search, pathname) {
      if ((pathname || "").replace(/\/$/, "") !== "/pack") return noUpdate();
      if (!search) return noUpdate(); // (a bare /pack: the pack being built stays)
      return packItems(search);
    },

    // The header's counter and its link to the pack, in the page's language.
    counter: function (items, search) {
      var kept = items || [];
      var pairs = kept.map(function (item) {
        return "item=" + item;
      });
      var lang = linkLang(search);
      if (lang) pairs.unshift("lang=" + lang);
      var href = "/pack" + (pairs.length ? "?" + pairs.join("&") : "");
      return [kept.length ? String(kept.length) : "", href];
    },
  };
})();
