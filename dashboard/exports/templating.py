"""The HTML pages the server writes itself, beside Dash's: the performance report
(dashboard/exports/report/document.py, with the trainers' annex of report/annex.py) and
the sign-in page (dashboard/web/login.py), each a Jinja2 template in dashboard/templates/.

Every value a .html template puts in is escaped (autoescape): a name read from an imported
file is text, never markup. What is HTML already is either markupsafe.Markup (what another
template made: the annex inside the report) or marked `|safe` where the template uses it,
with a comment there saying why it can be trusted. The report's stylesheet (report.css,
put inside the report's <style> element) is not escaped as HTML, where entities mean
nothing: the words it holds are CSS strings, escaped where they are made
(document._css_string, dashboard/exports/report/). A name the template uses but the code
does not give is an error (StrictUndefined), not an empty space in a page.

The words are translated in the code (the catalogs are extracted from the .py files) and
given to the templates ready to show; the templates hold the markup only.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

FOLDER = (
    Path(__file__).parent.parent / "templates"
)  # (shipped in the wheel: pyproject's package-data)


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(FOLDER),
        # escaped: .html, and any name not known to be safe; not: the report's .css
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("css",), default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> Markup:
    """The template `name` filled with `context` (HTML, to be sent or put in another)."""
    return Markup(environment().get_template(name).render(**context))
