-- The factors of the groups' permanent noise (dashboard.analytics.disclosure.FACTORS): a draw of 4
-- bits, v = 0..15, moves a group's measure by +(10.625 + 1.25 (v mod 8)) % for v < 8 and by
-- as much down for v >= 8, from 10.6 % to 19.4 %. A one-row table `e`, cross-joined.
    (SELECT list_transform(
        range(16), lambda v: (1 - 2 * (v // 8)) * (0.10625 + 0.0125 * (v % 8)))::DOUBLE[] AS e)
