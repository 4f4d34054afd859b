-- what dims.sql breaks down: the active groups (or cube cells) in scope
    grouped
