"""Pure figure functions: DataFrame in, go.Figure out (no queries, no Dash), a module for each
family of charts. Callers import from the module they draw with
(`from dashboard.views.figures.bars import ranked_bars`); there is nothing to import here.

Every figure uses the one template of dashboard.core.theme. Titles, subtitles and captions are
composed by the chart cards around the figure (they wrap on a phone and are read by screen
readers); a file of a chart puts them inside it (exports.framing.image). Points that can be
clicked to narrow the filters carry customdata[0] = "<filter>=<value>" (e.g. "country=UGA").

- common: what every figure shares: its layout, numbers and dates on axes and in hovers, the
  figure in place of one (`empty`, `not_drawn`) and `drawn`: a figure function never fails
  its page.
- references: reference lines across a chart (the network's value, SAVIX's benchmarks).
- trends: which quarters of a trend rest on enough active groups to be drawn (`steady`).
- labels: text fitted into a chart: names shortened or on two lines, labels set apart.
- lines: lines over time and stacked areas, named at their ends.
- bars: ranked bars and the histogram of group sizes.
- grids: small multiples, one panel per indicator (bars, trends).
- spread: the spread across groups (boxes), cost against scale (bubble), standing among
  peers (benchmark dots).
- maps: members by country on a world map.

A name with a leading underscore is shared among these modules, not used by callers.
"""
