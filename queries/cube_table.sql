-- the rollup cube read by indicators_cube.sql (all group-level keys)
    rollup_cube
