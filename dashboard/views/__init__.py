"""The views layer: a link as a view (view), what a page declares and shows for it (page_model),
the charts drawn in several places (charts) and the pure figure functions (figures). No Dash
components and no files: the web and exports layers render what this layer describes."""
