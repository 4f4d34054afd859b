"""The exports layer: what leaves the screen as a file. Chart images (renderer: Kaleido and the
offline Chromium; framing: a chart framed for a slide or print), the numbers drawn as CSV
and Excel (tables), a page's PowerPoint deck (deck), the performance report with its
trainers' annex and its PDF, the HTML templates, and the bounds on heavy work (heavy)."""
