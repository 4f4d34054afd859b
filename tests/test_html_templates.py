"""The pages the server writes itself (the performance report, the sign-in page) come from
autoescaped Jinja2 templates (dashboard/exports/templating.py), and the browser runs no script of
ours that the page itself holds (assets/15_clientside.js).

Names come from imported files and from what a visitor types: a pool whose project,
organisation, partner, donor, trainers and groups are named as markup, and a visitor who
types markup into the sign-in form or its link, see those names as text in the report and
on the sign-in page, never as markup."""

from __future__ import annotations

import ast
import base64
import dataclasses
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import jinja2
import pytest

from dashboard.core import i18n
from dashboard.exports import templating
from dashboard.ingest import import_files
from tests.conftest import PASSWORD, _serving, login
from tests.ingest_helpers import base_tables, dataset, group, project, report, write_csvs

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
HOSTILE = (SCRIPT, ATTRIBUTE)
PROJECT = f"Savings {SCRIPT}"
SECOND = f"Second {ATTRIBUTE}"
ORGANISATION = f"Aid {ATTRIBUTE}"


class Page(HTMLParser):
    """The elements and the text of an HTML page, as a browser reads them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def values(self, tag: str, name: str) -> list[str | None]:
        return [attrs.get(name) for t, attrs in self.tags if t == tag]


def inert(page: str) -> Page:
    """The page, checked to hold the hostile names as text only: no script element, no
    event handler, no picture but our data: URIs."""
    for text in HOSTILE:
        assert text not in page
    parsed = Page(page)
    assert "script" not in [tag for tag, _attrs in parsed.tags]
    for tag, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/svg+xml"), attrs
    return parsed


# The importer refuses < and > in names (ingest/validate.py); a pool may still hold them (one
# imported before that rule, a file changed by other means): the pool is imported with
# stand-ins, which are then replaced in every text column of every table.
STAND_INS = {
    "ZZPROJECTZZ": PROJECT,
    "ZZSECONDZZ": SECOND,
    "ZZORGANISATIONZZ": ORGANISATION,
    "ZZSCRIPTZZ": SCRIPT,
    "ZZATTRIBUTEZZ": ATTRIBUTE,
}


@pytest.fixture(scope="module")
def hostile_pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two projects of an organisation named as markup, five groups each, their trainers,
    groups and regions named as markup too."""
    import duckdb

    folder = tmp_path_factory.mktemp("hostile")
    tables = base_tables()
    org = "ZZORGANISATIONZZ"
    tables["projects"] = [
        project(project_name="ZZPROJECTZZ", organisation=org, partner="ZZSCRIPTZZ"),
        project(project_id="P2", project_name="ZZSECONDZZ", organisation=org),
    ]
    tables["projects"][0]["donor"] = "ZZATTRIBUTEZZ"
    tables["project_reports"] = [report(), report(project_id="P2")]
    names = ("ZZSCRIPTZZ", "ZZATTRIBUTEZZ")
    tables["groups"] = [
        group(
            project_id=p,
            group_id=f"G{i}",
            group_name=names[i % 2],
            trainer_id=names[i % 2],
            region="ZZATTRIBUTEZZ",
        )
        for p in ("P1", "P2")
        for i in range(1, 6)
    ]
    tables["datasets"] = [
        dataset(project_id=p, group_id=f"G{i}", report_date=day)
        for p in ("P1", "P2")
        for i in range(1, 6)
        for day in ("2024-03-31", "2024-06-30")
    ]
    path = folder / "pool.duckdb"
    import_files(write_csvs(folder / "csv", tables), path)
    con = duckdb.connect(str(path))
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in columns:
            for stand_in, name in STAND_INS.items():
                con.execute(
                    f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?) '
                    f'WHERE "{column}" LIKE ?',
                    [stand_in, name, f"%{stand_in}%"],
                )
    finally:
        con.close()
    return path


@pytest.fixture
def hostile_app(hostile_pool, monkeypatch):
    yield from _serving(hostile_pool, monkeypatch)


@pytest.fixture
def admin(hostile_app):
    client = hostile_app.server.test_client()
    assert login(client, "admin").status_code == 303
    return client


# --- The report --------------------------------------------------------------------------------


def test_a_project_named_as_markup_is_text_in_its_report(admin):
    response = admin.get("/report/print?project=P1")
    assert response.status_code == 200
    page = inert(response.get_data(as_text=True))
    assert [t for t, _a in page.tags].count("svg") == 4  # the trends drawn, inline
    assert PROJECT in page.text and ORGANISATION in page.text  # title, profile
    assert SCRIPT in page.text and ATTRIBUTE in page.text  # partner, donor


def test_an_organisation_named_as_markup_is_text_in_its_report_and_annex(admin):
    response = admin.get(f"/report/print?organisation={quote(ORGANISATION)}")
    assert response.status_code == 200
    source = response.get_data(as_text=True)
    page = inert(source)
    # the title, the quality table's projects and the annex's trainers, all as text
    assert f"Annex: trainers of {ORGANISATION}" in page.text
    assert PROJECT in page.text and SECOND in page.text
    assert re.search(r'<b class="id">&lt;script&gt;alert\(1\)&lt;/script&gt;</b>', source)
    assert '<b class="id">&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</b>' in source
    # the page margins' source line names it as a CSS string: nothing ends the stylesheet
    style = source[source.index("<style>") : source.index("</style>")]
    assert "<" not in style.removeprefix("<style>")


def test_the_pdf_of_a_report_named_as_markup_prints(admin):
    from io import BytesIO

    from pypdf import PdfReader

    response = admin.get("/report/pdf?project=P1")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    assert "Savings <script>alert(1)</script>" in text  # shown as the words they are


# --- The sign-in page --------------------------------------------------------------------------


def test_a_link_s_next_path_is_text_on_the_sign_in_page(hostile_app):
    target = f"/overview?{ATTRIBUTE}{SCRIPT}"
    page = hostile_app.server.test_client().get(f"/login?next={quote(target)}")
    parsed = inert(page.get_data(as_text=True))
    assert parsed.values("input", "value")[1] == target  # kept whole, as text


@pytest.mark.parametrize("token", ["ours", "forged"], ids=["wrong password", "no form token"])
def test_a_username_typed_as_markup_is_text_on_the_page_that_refuses_it(hostile_app, token):
    client = hostile_app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1) if token == "ours" else "x"
    typed = f"{ATTRIBUTE}{SCRIPT}"
    response = client.post(
        "/login", data={"username": typed, "password": PASSWORD, "csrf": csrf, "next": "/"}
    )
    assert response.status_code == (401 if token == "ours" else 400)
    parsed = inert(response.get_data(as_text=True))
    fields = {a.get("name"): a.get("value") for t, a in parsed.tags if t == "input"}
    assert fields["username"] == typed
    assert "alert alert-danger" in parsed.values("div", "class")  # the reason, said


def test_the_demo_accounts_name_their_organisations_as_text(hostile_app, monkeypatch):
    from dashboard.analytics import datasource

    facts = datasource.all_facts()
    monkeypatch.setattr(datasource, "all_facts", lambda: dataclasses.replace(facts, kind="demo"))
    page = hostile_app.server.test_client().get("/login").get_data(as_text=True)
    parsed = inert(page)
    assert "Demo accounts" in parsed.text and ORGANISATION in parsed.text


# --- The templates -----------------------------------------------------------------------------


def test_html_templates_escape_and_name_what_they_lack():
    env = templating.environment()
    assert env.autoescape("login.html") and env.autoescape("report.html")
    assert env.autoescape("anything.txt")  # (escaped unless known to be otherwise)
    assert not env.autoescape("report.css")  # CSS, escaped as CSS where it is made
    with pytest.raises(jinja2.UndefinedError):
        templating.render("login.html")
    shown = templating.render("not_found.html", heading=SCRIPT, text="", home=ATTRIBUTE, link="")
    inert(shown)


def test_each_value_a_template_does_not_escape_says_why():
    """`|safe` only where a comment just above says what the value is and why it can be
    trusted (a chart's SVG, drawn by Kaleido: the report's and the board pack's)."""
    found = 0
    for path in sorted((ROOT / "dashboard" / "templates").iterdir()):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if re.search(r"\{\{[^}]*\|\s*safe", line):  # (a use, not a comment's)
                found += 1
                above = "\n".join(lines[max(0, i - 3) : i])
                assert "{#" in above and "|safe:" in above, (path.name, i + 1)
    assert found == 2  # report.html, pack.html


def test_no_word_for_the_catalogs_is_hidden_in_an_f_string():
    """Babel's extractor does not look inside f-strings (Python 3.11): a `_("...")` written
    in one never reached the catalogs, and stayed English (the sign-in page's labels did)."""
    hidden = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in ("_", "N_", "gettext", "ngettext")
                    and any(isinstance(a, ast.Constant) for a in call.args)
                ):
                    hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert hidden == []


@pytest.mark.parametrize("lang", ["en", "da", "fr", i18n.PSEUDO])
def test_the_sign_in_page_is_in_its_language(hostile_app, lang):
    page = Page(hostile_app.server.test_client().get(f"/login?lang={lang}").get_data(as_text=True))
    with i18n.using(lang):
        words = [i18n._(w) for w in ("Sign in", "Username", "Password", "Continue as guest")]
    for word in words:
        assert word in page.text, (lang, word)
    if lang in ("da", "fr"):
        assert "Username" not in page.text and "Password" not in page.text


def test_the_report_s_table_cells_keep_their_classes():
    from dashboard.exports.report.document import _table

    table = _table(("A", "B", "C"), [("x", "1", ("up", "good"))], numeric=(1, 2))
    assert table.head == [("A", ""), ("B", "num"), ("C", "num")]
    assert table.rows == [[("x", ""), ("1", "num"), ("up", "num good")]]


# --- Scripts -----------------------------------------------------------------------------------


class Scripts(HTMLParser):
    """The inline scripts a browser runs (not JSON data, not in a comment)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.inline: list[str] = []
        self._in: dict[str, str | None] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._in = dict(attrs)
            self._data = ""

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._data += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in is not None:
            kind = self._in.get("type") or "text/javascript"
            if "src" not in self._in and "json" not in kind:
                self.inline.append(self._data)
            self._in = None


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def test_the_policy_allows_dash_s_own_inline_scripts_and_none_of_ours(hand_app):
    """Our clientside callbacks are functions of a script file (assets/15_clientside.js):
    the page holds Dash's two inline scripts only (its renderer's start and the pages'
    title), and the policy allows those by hash, and nothing else inline."""
    client = hand_app.server.test_client()
    response = client.get("/")
    inline = Scripts(response.get_data(as_text=True)).inline
    assert len(inline) == 2
    assert "new DashRenderer()" in inline[1] and "document.title = data.title" in inline[0]
    policy = dict(
        p.strip().split(" ", 1) for p in response.headers["Content-Security-Policy"].split(";")
    )
    assert sorted(policy["script-src"].split()) == sorted(["'self'", *map(_hash, inline)])


def test_every_clientside_callback_is_a_function_of_our_script_file(hand_app):
    client = hand_app.server.test_client()
    client.get("/")  # (Dash adds its pages' callbacks at the first request)
    script = (ROOT / "assets" / "15_clientside.js").read_text()
    named = []
    for callback in client.get("/_dash-dependencies").get_json():
        function = callback.get("clientside_function")
        if not function:
            continue
        if callback["output"] == "_pages_dummy.children":  # Dash's own (the page's title)
            continue
        namespace, name = function["namespace"], function["function_name"]
        assert re.search(rf"clientside\.{namespace} = \{{", script), namespace
        assert re.search(rf"\n    {name}: function \(", script), name
        named.append(f"{namespace}.{name}")
    assert sorted(named) == [
        "explore.present",
        "explore.tab",
        "frame.closeFilters",
        "frame.pageTitle",
        "frame.passClick",
        "pack.add",
        "pack.counter",
        "pack.fromLink",
        "present.move",
        "present.showSlide",
    ]


@pytest.mark.parametrize("lang", ["en", "da", "fr", i18n.PSEUDO])
def test_a_grid_s_empty_cell_is_a_javascript_string_of_any_words(lang, monkeypatch):
    from dashboard.web.components import cards

    def literal() -> str:
        formatter = cards.grid_column("x", "X", "int")["valueFormatter"]["function"]
        return formatter.split("params.value == null ? ", 1)[1].split(" : ", 1)[0]

    with i18n.using(lang):
        assert json.loads(literal()) == cards.na()
    monkeypatch.setattr(cards, "na", lambda: 'it\'s "n\\a"\n')
    assert json.loads(literal()) == 'it\'s "n\\a"\n'
