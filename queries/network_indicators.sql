-- The network's own indicators (issue 8): each field of data/network.toml over the active
-- groups in scope, per breakdown and as-of date, as indicators.sql's rows are: a ratio of
-- sums of network_measured.sql's numerators and denominators.
--
-- Parameters: those of scope.sql, $bys (as indicators.sql) and $fields (network_measured.sql).
-- The including code runs this only when the pool has at least one ndf_ column, with the swap
-- dims_input=dims_input_measured (and active=active_rollup when rollup_groups holds the
-- dates); network_indicators_cube.sql reads the same sums from the rollups.
WITH
--@include scope
,
--@include grouped
,
--@include network_measured
,
--@include dims
,
--@include network_tail
