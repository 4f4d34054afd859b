-- The pool's schema (DATA.md v1). Column names are the canonical names of the contract.
-- Created once per pool by dashboard.pool.files.create_pool; the version lives in pool_meta.

CREATE TABLE pool_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE projects (
    project_id   VARCHAR NOT NULL,
    project_name VARCHAR NOT NULL,
    organisation VARCHAR NOT NULL,
    partner      VARCHAR,
    country      VARCHAR NOT NULL,   -- ISO 3166-1 alpha-3
    currency     VARCHAR NOT NULL,   -- ISO 4217
    start_date   DATE NOT NULL,
    end_date     DATE,
    donor        VARCHAR,
    shared       BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE project_reports (
    project_id     VARCHAR NOT NULL,
    period_end     DATE NOT NULL,
    cost_to_date   DOUBLE NOT NULL,
    field_officers INTEGER NOT NULL,
    village_agents INTEGER NOT NULL
);

CREATE TABLE groups (
    project_id     VARCHAR NOT NULL,
    group_id       VARCHAR NOT NULL,
    group_name     VARCHAR,
    formation_date DATE NOT NULL,
    trained_by     VARCHAR NOT NULL,  -- field_officer | village_agent | replicated
    trainer_id     VARCHAR,
    region         VARCHAR,
    setting        VARCHAR,           -- rural | peri-urban | urban
    tags           VARCHAR,           -- normalised: lower case, ';'-separated, sorted, no blanks
    latitude       DOUBLE,
    longitude      DOUBLE
);

CREATE TABLE datasets (
    project_id              VARCHAR NOT NULL,
    group_id                VARCHAR NOT NULL,
    report_date             DATE NOT NULL,
    cycle_number            INTEGER NOT NULL,
    cycle_start_date        DATE NOT NULL,
    members_at_start        INTEGER NOT NULL,
    members                 INTEGER NOT NULL,
    women                   INTEGER NOT NULL,
    men                     INTEGER NOT NULL,
    youth                   INTEGER,
    members_attending       INTEGER NOT NULL,
    dropouts                INTEGER NOT NULL,
    savings                 DOUBLE NOT NULL,
    loans_outstanding_count INTEGER NOT NULL,
    loans_outstanding_value DOUBLE NOT NULL,
    late_loans_balance      DOUBLE NOT NULL,
    write_offs              DOUBLE NOT NULL,
    loan_fund_cash          DOUBLE NOT NULL,
    other_funds_cash        DOUBLE NOT NULL,
    property_at_start       DOUBLE NOT NULL,
    property_now            DOUBLE NOT NULL,
    debts                   DOUBLE NOT NULL,
    status                  VARCHAR NOT NULL   -- supervised | graduated
);

CREATE TABLE exchange_rates (
    currency VARCHAR NOT NULL,
    year     INTEGER NOT NULL,
    per_usd  DOUBLE NOT NULL
);

-- Provenance: one row per import that changed the pool.
CREATE TABLE imports (
    import_id     INTEGER NOT NULL,
    imported_at   TIMESTAMP NOT NULL,
    files         VARCHAR NOT NULL,   -- JSON list of {"name", "sha256", "bytes"}
    rows_added    VARCHAR NOT NULL,   -- JSON {table: n}
    rows_replaced VARCHAR NOT NULL,   -- JSON {table: n}
    warnings      INTEGER NOT NULL,   -- warnings raised on this import's rows
    seconds       DOUBLE NOT NULL,
    tool_version  VARCHAR NOT NULL,
    imported_by   VARCHAR,            -- who imported: a username, or the command line
    moves         VARCHAR             -- JSON [{"project_id", "from", "to"}]: projects given
                                      -- to another organisation (administrators only)
);

-- Questionable data: the pool's current data-quality flags, recomputed after every import.
CREATE TABLE warnings (
    rule        VARCHAR NOT NULL,     -- e.g. low_attendance, ageing_data
    project_id  VARCHAR NOT NULL,
    group_id    VARCHAR,
    report_date DATE,
    "column"    VARCHAR,
    value       DOUBLE,
    message     VARCHAR NOT NULL,
    import_id   INTEGER               -- the import at which this flag first appeared
);
