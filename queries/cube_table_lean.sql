-- the lean rollup cube read by indicators_cube.sql (projects and trained_by only)
    rollup_lean
