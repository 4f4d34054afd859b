-- what dims.sql breaks down: the network's measured rows (network_measured.sql)
    measured
