-- The control-status sweep, once per period across the nodes sharing this database: the node that records a
-- period first sweeps it; the others skip it (every node still refreshes the patients whose readings it stored).
-- A node may claim a period again that it claimed itself, as after a failed sweep or a restart.
CREATE TABLE chronic_sweep (
    period_start timestamptz PRIMARY KEY,
    node         text        NOT NULL,
    claimed_at   timestamptz NOT NULL
);
