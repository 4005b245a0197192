-- Issue 14, part 3: control status per patient and condition, maintained by the chronic module as it evaluates
-- (after new readings, after a follow-up, and on a periodic sweep), so panel indicators read one row per patient
-- and condition instead of scanning readings. Each row is one spell of one status: the current spell has
-- until_at NULL; the status at any moment T is the spell with since_at <= T < until_at.

CREATE TABLE control_status (
    patient_id   bigint      NOT NULL REFERENCES patient (id),
    condition    text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('controlled', 'uncontrolled', 'unknown')),
    since_at     timestamptz NOT NULL,
    until_at     timestamptz,
    -- The figures of the latest evaluation of this spell (basis, means, counts, period).
    figures      jsonb       NOT NULL,
    evaluated_at timestamptz NOT NULL,
    PRIMARY KEY (patient_id, condition, since_at),
    CHECK (until_at IS NULL OR until_at >= since_at)
);
CREATE UNIQUE INDEX control_status_current ON control_status (patient_id, condition) WHERE until_at IS NULL;
CREATE INDEX control_status_condition ON control_status (condition, since_at);

-- Home readings per patient, metric and month, with the count of each day of the month (days[1] is the 1st, in
-- the rules' time zone), recounted from ingest's care_reading_days when a patient is re-evaluated: what
-- home-monitoring adherence sums over a period without touching the readings. One row per patient, metric and month
-- (2.4 million a year for 100,000 patients measuring two metrics) rather than one per day (73 million).
CREATE TABLE measurement_month (
    patient_id bigint    NOT NULL REFERENCES patient (id),
    metric     smallint  NOT NULL,
    month      date      NOT NULL CHECK (extract(day FROM month) = 1),
    days       integer[] NOT NULL,
    -- The sum of days: a month wholly inside a period is summed without opening the array.
    total      integer   NOT NULL CHECK (total >= 0),
    PRIMARY KEY (patient_id, metric, month)
);
