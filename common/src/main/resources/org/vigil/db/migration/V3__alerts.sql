-- Alerts for doctors: one active alert per patient and rule; repeats update it.

CREATE TABLE alert (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id       bigint      NOT NULL REFERENCES patient (id),
    doctor_id        bigint      NOT NULL REFERENCES doctor (id),
    rule             text        NOT NULL,
    severity         text        NOT NULL CHECK (severity IN ('warning', 'critical')),
    status           text        NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    metric           smallint    NOT NULL,
    value            double precision NOT NULL,
    measured_at      timestamptz NOT NULL,
    opened_at        timestamptz NOT NULL,
    occurrences      integer     NOT NULL DEFAULT 1,
    last_value       double precision NOT NULL,
    last_measured_at timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    acknowledged_at  timestamptz,
    acknowledged_by  text
);

-- At most one alert per patient and rule is active (not yet resolved): the episode.
CREATE UNIQUE INDEX alert_active_episode ON alert (patient_id, rule) WHERE status <> 'resolved';
CREATE INDEX alert_doctor_status ON alert (doctor_id, status, opened_at DESC);
