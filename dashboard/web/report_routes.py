"""The performance report's two addresses on the Flask server (its one job): /report/print,
the report as an HTML page (previewed on /report, printed from the browser), and
/report/pdf, the same printed to PDF on the server; each with the view's query string. What
the report says, its HTML and its printing are dashboard/exports/report/ (data.py,
document.py, pdf.py); here they are answered, as a 503 in plain words when they cannot be.
"""

from __future__ import annotations

import logging

import flask

from dashboard.core import naming
from dashboard.core.i18n import _
from dashboard.exports import heavy, renderer
from dashboard.exports.report import data, document, pdf
from dashboard.pool.files import PoolError

PRINT_ROUTE = "/report/print"  # the report as an HTML page (preview, print from the browser)
PDF_ROUTE = "/report/pdf"  # the same, printed to PDF on the server


def _search() -> str:
    query = flask.request.query_string.decode("utf-8", "replace")
    return "?" + query if query else ""


def _page_url() -> str:
    return naming.site_url() + "/report"  # (never the Host header as sent)


def _unavailable(message: str, retry: bool = False) -> flask.Response:
    response = flask.Response(message, status=503, mimetype="text/plain")
    if retry:  # (a renderer that failed or ran out of time: it may work in a while)
        response.headers["Retry-After"] = str(heavy.RETRY_AFTER)
    return response


def _failed(search: str) -> flask.Response:
    """The report could not be made (the details in the log): said, not a server error."""
    logging.getLogger(__name__).exception("The report could not be made for %r", search)
    return _unavailable(
        _(
            "This view could not be drawn. Try other filters or reload the page; "
            "the error is in the server's log."
        )
    )


def register_routes(server: flask.Flask) -> None:
    """/report/print and /report/pdf on the Flask server, with the view's query string."""

    @server.route(PRINT_ROUTE)
    def report_print() -> flask.Response:
        search = _search()
        try:
            with heavy.job():  # four charts drawn: bounded per host and per client
                html = document.render_html(data.build_report(search, _page_url()))
        except heavy.Busy as exc:
            return heavy.refusal(exc)
        except PoolError as exc:
            return _unavailable(_("No data to report: {error}").format(error=exc))
        except renderer.RenderError as exc:
            return _unavailable(str(exc), retry=True)
        except Exception:  # a fault of ours, or data the queries cannot read
            return _failed(search)
        return flask.Response(html, mimetype="text/html")

    @server.route(PDF_ROUTE)
    def report_pdf() -> flask.Response:
        search = _search()
        try:
            with heavy.job():  # four charts and a Chromium: bounded per host and per client
                report = data.build_report(search, _page_url())
                printed = pdf.pdf_bytes(document.render_html(report))
            name = pdf.file_name(search)
        except heavy.Busy as exc:
            return heavy.refusal(exc)
        except PoolError as exc:
            return _unavailable(_("No data to report: {error}").format(error=exc))
        except (renderer.RenderError, pdf.PdfError) as exc:
            return _unavailable(str(exc), retry=True)
        except Exception:  # a fault of ours, or data the queries cannot read
            return _failed(search)
        response = flask.Response(printed, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
