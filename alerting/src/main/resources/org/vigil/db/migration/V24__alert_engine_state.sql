-- The clinical engine's state per patient, saved by the node that evaluates her (cluster mode). A node given her
-- partition resumes from it and replays only the readings stored after it, instead of her whole lookback: a
-- wearer's 16 days are some 46,000 readings (docs/cluster.md, "Saved engine state").
CREATE TABLE alert_engine_state (
    patient_id  bigint PRIMARY KEY,
    -- The rules and code that wrote the state: state of another fingerprint is not read.
    fingerprint bigint NOT NULL,
    -- Per ingest log stream, the newest position whose readings the state holds.
    positions   bigint[] NOT NULL,
    saved_at    timestamptz NOT NULL,
    state       bytea NOT NULL
);
