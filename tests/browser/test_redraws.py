"""Opening a page draws each chart once (issue 20): dcc.Graph's resize detector asked plotly.js
to resize every chart after its first figures came, a second full drawing of a chart whose
size had not changed (assets/06_plotly_resize.js skips it). A real change of size still
redraws the charts."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import BROWSER_WAIT, sign_in

SETTLED = """
const graphs = [...document.querySelectorAll('.js-plotly-plot')];
if (!graphs.length || document.querySelector('[data-dash-is-loading="true"]')) return false;
return graphs.every(gd => gd._fullLayout && !gd.classList.contains('dash-graph--pending'));
"""

# Installed before the page's scripts: count, per chart, the full relayouts a resize makes
# (plotly_relayout with autosize), from its first drawing on.
COUNT = """
(() => {
  let plotly;
  const watch = (P) => {
    const react = P.react;
    P.react = function (gd, ...rest) {
      const drawn = react.call(this, gd, ...rest);
      Promise.resolve(drawn).then(() => {
        if (gd.__counting || !gd.on) return;
        gd.__counting = true;
        gd.__resized = 0;
        gd.on('plotly_relayout', (e) => { if (e && e.autosize) gd.__resized += 1; });
      });
      return drawn;
    };
  };
  if (window.Plotly) { watch(window.Plotly); return; }
  Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly,
    set: (v) => { plotly = v; watch(v); }});
})();
"""

RESIZED = """
return [...document.querySelectorAll('.js-plotly-plot')].map(gd => [
  gd.parentElement.closest('[id]') ? gd.parentElement.closest('[id]').id : '', gd.__resized]);
"""

FITS = """
return [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd.offsetParent).every(gd =>
  Math.abs(parseFloat(getComputedStyle(gd).width) - gd._fullLayout.width) < 1);
"""


@pytest.fixture
def app(hand_app):
    return hand_app


def settle(dash_duo) -> None:
    WebDriverWait(dash_duo.driver, BROWSER_WAIT).until(lambda d: d.execute_script(SETTLED))


def test_a_page_draws_each_chart_once_and_a_resize_still_fits(dash_duo, app):
    """Opening /performance drew each of its eight charts a second time (a resize of the
    same size); now once. A window made narrower redraws each chart to its new box."""
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1366, 3000)  # every chart in view (none waits: 07_plotly_lazy)
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COUNT})
    dash_duo.driver.get(dash_duo.server_url + "/performance")
    settle(dash_duo)
    time.sleep(1.0)  # (a resize, were there one, follows the drawing within 50 ms)
    resized = dash_duo.driver.execute_script(RESIZED)
    assert len(resized) >= 5
    assert [(cid, n) for cid, n in resized if n != 0] == []
    # a real change of size is still drawn: each chart fits its narrower box
    dash_duo.driver.set_window_size(900, 3000)
    WebDriverWait(dash_duo.driver, BROWSER_WAIT).until(lambda d: d.execute_script(FITS))
    assert any(n for _cid, n in dash_duo.driver.execute_script(RESIZED))
    assert dash_duo.get_logs() == []


LAZY = """
return [...document.querySelectorAll('[id$="-card"] .chart-graph')].map(g => {
  const gd = g.querySelector('div > div') && g.querySelector('.js-plotly-plot');
  const box = g.getBoundingClientRect();
  return [g.id, !!(gd && gd._fullLayout), Math.round(box.top)];
});
"""


def test_charts_out_of_sight_are_drawn_as_they_come_into_view(dash_duo, app):
    """On a laptop's screen, /efficiency shows two of its seven charts: those far below are
    drawn when scrolled to, and all are drawn before the page is printed."""
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.driver.get(dash_duo.server_url + "/efficiency")
    dash_duo.wait_for_contains_text("#ef-trend-caption", "Source")
    settle(dash_duo)
    time.sleep(0.5)
    charts = dash_duo.driver.execute_script(LAZY)
    height = 768
    near = [drawn for _id, drawn, top in charts if top < 1.25 * height]
    far = [drawn for _id, drawn, top in charts if top > 1.5 * height]
    assert near and all(near)  # on screen (and just below): drawn at once
    assert far and not any(far)  # a screen and more below: waiting
    dash_duo.driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    WebDriverWait(dash_duo.driver, BROWSER_WAIT).until(
        lambda d: d.execute_script(LAZY)[-1][1]  # the last chart, now in view
    )
    dash_duo.driver.execute_script("window.scrollTo(0, 0)")
    dash_duo.driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    WebDriverWait(dash_duo.driver, BROWSER_WAIT).until(
        lambda d: all(drawn for _id, drawn, _top in d.execute_script(LAZY))
    )
    assert dash_duo.get_logs() == []


# Installed before the page's scripts: the outputs of every callback request the page sends.
REQUESTS = """
(() => {
  window.__asked = [];
  const send = window.fetch;
  window.fetch = function (url, options) {
    if (String(url).includes('_dash-update-component') && options && options.body) {
      try { window.__asked.push(JSON.parse(options.body).output); } catch (e) {}
    }
    return send.apply(this, arguments);
  };
})();
"""
PAGE_OUTPUT = "pf-savings_per_member_usd-value.children"  # one of /performance's callback's


def test_a_link_is_drawn_in_one_answer_and_a_change_redraws_it(dash_duo, app):
    """Opening /performance from a link, the page comes drawn with the link's view: its own
    callback is not asked (that cost a second round trip after the layout was drawn). A
    change of the breakdown then asks it once, and the charts change."""
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1366, 768)
    sign_in(dash_duo, "admin")  # (a guest of the hand pool sees its cells suppressed)
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": REQUESTS})
    dash_duo.driver.get(dash_duo.server_url + "/performance?by=country")
    dash_duo.wait_for_contains_text("#pf-savings_per_member_usd-caption", "Source")
    settle(dash_duo)
    time.sleep(0.5)
    asked = dash_duo.driver.execute_script("return window.__asked")
    assert "page-content.children" in asked
    assert not [o for o in asked if PAGE_OUTPUT in o]
    names = (
        "return document.querySelector('#pf-savings_per_member_usd-card .js-plotly-plot')"
        ".textContent"
    )
    by_country = dash_duo.driver.execute_script(names)
    assert "Uganda" in by_country and "Alpha Aid" not in by_country
    dash_duo.driver.execute_script("window.__asked = []")
    dash_duo.find_element("#pf-by label[for$='organisation']").click()
    WebDriverWait(dash_duo.driver, BROWSER_WAIT).until(
        lambda d: "Alpha Aid" in (d.execute_script(names) or "")
    )
    settle(dash_duo)
    asked = dash_duo.driver.execute_script("return window.__asked")
    assert len([o for o in asked if PAGE_OUTPUT in o]) == 1
    assert dash_duo.get_logs() == []
