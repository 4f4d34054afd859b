"""The core layer, at the bottom: what everything else speaks in, with no pool, request or
drawing. Settings (config), languages and catalogs (i18n, catalogs), numbers in words
(format), the one chart look (theme), the indicator registry and calendar (indicators),
which data a view asks for (filters) and its link (urlstate), the network's own fields
(network), countries and currencies, the measures the indicators sum (measures), which
rollup answers a view (sources), a pool's vocabulary (facts), file names (naming) and
spreadsheets that do not run what they hold (spreadsheet).

It imports nothing of the package's other layers (tests/test_imports.py)."""
