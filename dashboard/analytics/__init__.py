"""The analytics layer: numbers from the pool for a viewer. The indicator engine and the
rollups built at import, the query layer (datasource: scoped to the viewer, perturbed by
disclosure control, cached), the trainer report's figures and charts in words (summaries).
Nothing here knows Dash, HTML or files."""
