"""The performance report, a one-to-two-page annex for a donor report, in four modules of
one job each: data.py (what it says, from the pool), document.py (its HTML, from the
template dashboard/templates/report.html), annex.py (the HTML of its trainers' annex) and
pdf.py (the document printed to PDF). Its addresses are dashboard/web/report_routes.py."""
