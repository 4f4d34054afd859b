"""Languages (issue 7): the catalogs are complete, each request gets its language, numbers and
dates follow the locale, and no text of any page escapes the catalogs."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from dashboard.core import catalogs, i18n
from dashboard.core.countries import country_name
from dashboard.core.format import date_text, format_change, format_value, number
from dashboard.core.urlstate import parse_search
from tests.dash_client import request_body


def test_every_string_of_the_code_is_translated_in_every_language():
    template = catalogs.extract()
    assert len(template) > 300  # the dashboard's strings were found at all
    missing = catalogs.problems(template)
    assert missing == [], "\n".join(missing[:40]) + f"\n({len(missing)} in all)"


def test_the_shipped_template_is_up_to_date():
    """dashboard/locale/messages.pot is what `make messages` makes of the code now."""
    shipped = catalogs.read_template()
    assert {m.id for m in shipped if m.id} == {m.id for m in catalogs.extract() if m.id}


def test_placeholders_are_the_format_fields_not_plotlys():
    assert catalogs.placeholders("{n} groups in {country:>3}") == {"n", "country"}
    assert catalogs.placeholders("%{y:,.0f} groups of %{x} members") == set()


@pytest.mark.parametrize(
    ("lang", "value", "kind", "text"),
    [
        ("en", 1234.5, "decimal", "1,234"),
        ("da", 1234.5, "decimal", "1.234"),
        ("da", 12.34, "decimal", "12,3"),
        ("fr", 12.34, "decimal", "12,3"),
        ("en", 0.78, "pct", "78%"),
        ("da", 0.78, "pct", "78\xa0%"),
        ("fr", 0.078, "pct", "7,8\xa0%"),
        ("en", 12_345, "int", "12.3k"),
        ("da", 12_345, "int", "12,3k"),
        ("fr", 1_234_567, "int", "1,2M"),
        ("da", 11_400_000, "usd", "11,4M\xa0USD"),
        ("en", 21.6, "usd", "USD 21.60"),
        ("da", 21.6, "usd", "21,60\xa0USD"),
        ("fr", 1234.5, "usd", "1\u202f234\xa0USD"),
    ],
)
def test_numbers_follow_the_language(lang, value, kind, text):
    with i18n.using(lang):
        assert format_value(value, kind).replace(" ", "\xa0") == text.replace(" ", "\xa0")


def test_tiles_write_large_numbers_as_the_axes_do_in_every_language():
    """A tile's 372k stands beside an axis whose ticks plotly writes with SI prefixes (k, M)
    in every language: Danish tiles once said "372 t." and "11,4 mio." against an axis's
    "350k" and "10M". The decimal mark is still the language's."""
    from dashboard.views.figures.common import _axis_format

    assert _axis_format("int", "USD")["tickformat"] == "~s"  # d3's k, M, G
    for lang, mark in (("en", "."), ("da", ","), ("fr", ",")):
        with i18n.using(lang):
            assert format_value(372_241, "int") == "372k"
            assert format_value(17_499, "int") == f"17{mark}5k"
            assert format_value(12_000, "int") == "12k"  # 12.0k written 12k
            assert format_value(2_345_678, "int") == f"2{mark}3M"


def test_the_issues_examples():
    """Danish 1.234,5 and 30.09.2025; French 1 234,5 (a narrow no-break space, CLDR's)."""
    with i18n.using("da"):
        assert number(1234.5, 1) == "1.234,5"
        assert date_text(date(2025, 9, 30)) == "30.09.2025"
    with i18n.using("fr"):
        assert number(1234.5, 1) == "1\u202f234,5"
        assert date_text(date(2025, 9, 30)) == "30/09/2025"
    with i18n.using("en"):
        assert number(1234.5, 1) == "1,234.5"
        assert date_text(date(2025, 9, 30)) == "30 Sep 2025"


def test_changes_in_percentage_points_are_localised():
    with i18n.using("da"):
        text, sign = format_change(0.50, 0.45, "pct")
        assert sign == 1
        assert text.startswith("+5,0 ")
        assert text.endswith(i18n.gettext("pp"))


def test_country_names_come_in_the_language():
    with i18n.using("fr"):
        assert country_name("UGA") == "Ouganda"
    with i18n.using("da"):
        assert country_name("KEN") == "Kenya"
        assert country_name("TZA") == "Tanzania"
    with i18n.using("en"):
        assert country_name("CIV") == "Côte d'Ivoire"


def test_plotly_speaks_the_language():
    with i18n.using("en"):
        assert i18n.plotly_config() == {}
    with i18n.using("da"):
        config = i18n.plotly_config()
        assert config["locale"] == "da"
        fmt = config["locales"]["da"]["format"]
        assert fmt["months"][0] == "januar"
        assert (fmt["decimal"], fmt["thousands"]) == (",", ".")
        dictionary = config["locales"]["da"]["dictionary"]
        assert dictionary["Reset axes"] == i18n.gettext("Reset axes") != "Reset axes"


def test_the_link_keeps_its_language_and_refuses_others():
    state = parse_search("?country=UGA&lang=da")
    assert state.lang == "da"
    assert "lang=da" in state.search()
    bad = parse_search("?lang=xx")
    assert bad.lang is None
    assert any("lang" in n for n in bad.notices)


def test_french_plurals_follow_the_catalogs_three_forms():
    """CLDR's French: one (0 and 1), many (millions), other."""
    plural = i18n._plural("fr")
    assert [plural(n) for n in (0, 1, 2, 5, 1_000_000)] == [0, 0, 2, 2, 1]
    with i18n.using("fr"):
        assert i18n.ngettext("{n} group", "{n} groups", 5).format(n=5) == "5 groupes"
        assert i18n.ngettext("{n} group", "{n} groups", 1).format(n=1) == "1 groupe"


def test_rounding_is_pythons_in_every_language():
    """Babel alone rounds its decimal text half-even: 0.025 would become 0.02."""
    with i18n.using("en"):
        assert format_value(0.025, "usd") == "USD 0.03"
        assert format_value(0.0005, "pct") == "0.1%"
    with i18n.using("da"):
        assert format_value(0.025, "usd") == "0,03\xa0USD"


def test_the_rest_of_a_top_series_has_one_key_in_every_language():
    """Colours follow keys: "Others" must not become "Andre" and change every colour."""
    import pandas as pd

    from dashboard.views.view import OTHERS, top_series

    frame = pd.DataFrame(
        {"as_of": ["2025-09-30"] * 10, "country": list("ABCDEFGHIJ"), "members": range(10)}
    )
    with i18n.using("da"):
        assert OTHERS in set(top_series(frame, "country", "members", keep=3)["country"])


def test_gettext_and_plurals():
    with i18n.using("qps"):
        assert i18n.gettext("Members") == "⟦Members⟧"
    with i18n.using("en"):
        assert i18n.ngettext("{n} group", "{n} groups", 1) == "{n} group"
        assert i18n.ngettext("{n} group", "{n} groups", 2) == "{n} groups"
    with i18n.using("da"):
        assert i18n.gettext("Members") == "Medlemmer"


class TestNegotiation:
    @pytest.fixture
    def server(self, hand_app):
        return hand_app.server

    def lang(self, server, path="/", **kwargs: Any) -> str:
        with server.test_request_context(path, **kwargs):
            return i18n.negotiate(__import__("flask").request)

    def test_the_links_parameter_first(self, server):
        headers = {"Accept-Language": "fr-FR,fr;q=0.9"}
        assert self.lang(server, "/?lang=da", headers=headers) == "da"

    def test_then_the_browsers_languages(self, server):
        assert self.lang(server, headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}) == "fr"
        assert self.lang(server, headers={"Accept-Language": "de-DE,da;q=0.8"}) == "da"
        assert self.lang(server, headers={"Accept-Language": "de-DE"}) == "en"
        assert self.lang(server) == "en"

    def test_a_callback_uses_the_search_it_carries(self, server):
        body = {"inputs": [{"id": "url", "property": "search", "value": "?lang=fr"}]}
        assert self.lang(server, "/_dash-update-component", method="POST", json=body) == "fr"

    def test_a_request_of_the_page_uses_the_pages_link(self, server):
        referer = "http://localhost/outreach?country=UGA&lang=da"
        assert self.lang(server, "/_dash-layout", headers={"Referer": referer}) == "da"

    def test_an_unknown_language_falls_back(self, server):
        assert self.lang(server, "/?lang=xx", headers={"Accept-Language": "da"}) == "da"

    def test_the_last_lang_of_a_link_counts_as_everywhere_else(self, server):
        assert self.lang(server, "/?lang=fr&lang=da") == "da"

    def test_another_site_or_a_page_load_does_not_take_the_senders_language(self, server):
        other = {"Referer": "http://elsewhere.example/?lang=fr", "Accept-Language": "da"}
        assert self.lang(server, "/_dash-layout", headers=other) == "da"
        # a page load (after "Continue as guest", say) is in its own link's language
        home = {"Referer": "http://localhost/login?lang=fr", "Accept-Language": "da"}
        assert self.lang(server, "/", headers=home) == "da"

    def test_odd_requests_get_a_language_not_an_error(self, server):
        assert self.lang(server, "/_dash-layout", headers={"Referer": "http://[::1"}) == "en"
        body = {"inputs": 5, "lang=": True}
        path = "/_dash-update-component"
        assert self.lang(server, path, method="POST", json=body) == "en"


def test_the_page_declares_its_language(hand_app):
    client = hand_app.server.test_client()
    danish = client.get("/?lang=da").get_data(as_text=True)
    assert '<html lang="da">' in danish
    with i18n.using("da"):
        assert f"<title>{i18n.gettext('Savings groups network')}</title>" in danish
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_the_frame_is_drawn_in_the_language(hand_app):
    client = hand_app.server.test_client()
    layout = client.get(
        "/_dash-layout", headers={"Referer": "http://localhost/?lang=da"}
    ).get_json()
    text = json.dumps(layout, ensure_ascii=False)
    with i18n.using("da"):
        assert i18n.gettext("Filters") in text
        assert i18n.gettext("Overview") in text
    assert '"Overview"' not in text


# --- No text escapes the catalogs ---------------------------------------------------------------

# Keys whose strings are shown to people (component props and figure parts).
SHOWN = {
    "children",
    "title",
    "placeholder",
    "label",
    "aria-label",
    "alt",
    "headerName",
    "headerTooltip",
    "noRowsToShow",
    "text",
    "hovertemplate",
    "name",
    "subtitle",
    "caption",
    "summary",
    "value_label",
}
NOT_SHOWN = {"id", "className", "href", "style", "data", "customdata", "value", "options_value"}
WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
ALLOWED = re.compile(
    r"%\{[^}]*\}|<[^>]+>|\b\d{1,2} [A-Z][a-z]{2} \d{4}\b"  # dates: data
    r"|\b(?:USD|DKK|EUR|VSLA|SAVIX|CSV|XLSX|PNG|SVG|PDF|PPTX|UTC|ISO)\b"
    r"|\b(?:EN|DA|FR|English|Dansk|Français)\b"  # each language by its own name
)


def _strings(node: Any, key: str = "", out: list[tuple[str, str]] | None = None) -> list:
    out = [] if out is None else out
    if isinstance(node, str):
        if key in SHOWN:
            out.append((key, node))
    elif isinstance(node, list):
        for item in node:
            _strings(item, key, out)
    elif isinstance(node, dict):
        if "type" in node and "props" in node and isinstance(node["props"], dict):
            # a component's `name` is a form field's (a trace's name is shown)
            _strings({k: v for k, v in node["props"].items() if k != "name"}, "", out)
            return out
        for k, v in node.items():
            if k in NOT_SHOWN:
                continue
            if k == "options" and isinstance(v, list):
                for option in v:
                    if isinstance(option, dict):
                        _strings(option.get("label"), "label", out)
                continue
            if k == "text" and isinstance(v, dict | list) and key != "title":
                continue  # a trace's text: data labels
            if k == "title" and isinstance(v, dict):
                _strings(v.get("text"), "title", out)
                continue
            if k == "annotations" and isinstance(v, list):
                # an annotation's `name` is not shown (the figures mark their labels by it:
                # figures.lines.END_LABEL, figures.bars.VALUE_LABEL)
                for note in v:
                    if isinstance(note, dict):
                        _strings({a: b for a, b in note.items() if a != "name"}, key, out)
                continue
            _strings(v, k if k in SHOWN else key, out)
    return out


def _leaks(strings: list[tuple[str, str]], names: set[str]) -> set[str]:
    leaks = set()
    for _key, text in strings:
        rest, before = text, None
        while rest != before:  # translations nest: ⟦⟦6 active groups⟧ with ⟦125 members⟧…⟧
            before, rest = rest, WRAPPED.sub(" ", rest)
        rest = ALLOWED.sub(" ", rest)
        for name in sorted(names, key=len, reverse=True):
            if name and name in rest:
                rest = rest.replace(name, " ")
        if re.search(r"[A-Za-z]{2,}", rest):
            leaks.add(text)
    return leaks


def _data_names(app_facts: Any) -> set[str]:
    from dashboard.core.indicators import INDICATORS

    names = set(app_facts.organisations) | set(app_facts.tags)
    names |= {ind.id for ind in INDICATORS}  # ids are shown beside names, as in the CLI
    from dashboard.core import network

    for f in network.current().fields:  # translated by the network's own file, not a catalog
        names |= {f.indicator_id, *f.labels.values(), *f.definitions.values()}
    for p in app_facts.projects:
        names |= {p.project_id, p.project_name, p.organisation, p.country}
        with i18n.using("en"):
            names.add(country_name(p.country) or p.country)
    return names


def test_no_text_of_any_page_escapes_the_catalogs(hand_app, admin_client):
    """Every page, its frame and every view callback rendered in the pseudo-language (each
    translation wrapped in ⟦ ⟧): what is left unwrapped, beyond data, is a string that no
    catalog can translate."""
    from dashboard.analytics import datasource
    from dashboard.web import responses

    app = hand_app
    strings: list[tuple[str, str]] = []
    search = "?lang=qps"
    layout = admin_client.get("/_dash-layout", headers={"Referer": f"http://localhost/{search}"})
    strings += _strings(layout.get_json())
    paths = [p["path"] for p in __import__("dash").page_registry.values()]
    calls = [(output, "/") for output in responses.view_callbacks(app)]
    calls += [(output, path) for path in paths for output in ("page-content.children",)]
    calls += [("account.children", "/")]
    for output, path in calls:
        first = output.strip(".").split("...")[0]
        values = {"url.search": search, "url.pathname": path, "url.hash": ""}
        answer = admin_client.post(
            "/_dash-update-component",
            json=request_body(app, first, values),
            headers={"Referer": f"http://localhost{path}{search}"},  # as the browser sends it
        )
        assert answer.status_code in (200, 204), (path, output, answer.data[:200])
        if answer.status_code == 200:
            strings += _strings(answer.get_json())
    with hand_app.server.test_request_context("/"):
        facts = datasource.all_facts()
    leaks = _leaks(strings, _data_names(facts))
    assert not leaks, "\n".join(sorted(leaks)[:60]) + f"\n({len(leaks)} in all)"
