-- Clinical alert lifecycle (issue 4): what the rule engine says about an episode, automatic and doctors'
-- resolution, and an append-only record of every transition with who and when.

ALTER TABLE alert
    ADD COLUMN detail      text             NOT NULL DEFAULT '',
    ADD COLUMN worst_value double precision,
    ADD COLUMN late        boolean          NOT NULL DEFAULT false,
    ADD COLUMN resolved_at timestamptz,
    ADD COLUMN resolved_by text,
    ADD COLUMN disposition text;

UPDATE alert SET worst_value = value WHERE worst_value IS NULL;
ALTER TABLE alert ALTER COLUMN worst_value SET NOT NULL;

-- Rebuilding a patient's rule state after a restart reads the newest alert per rule.
CREATE INDEX alert_patient_rule ON alert (patient_id, rule, id DESC);

CREATE TABLE alert_transition (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id    bigint      NOT NULL REFERENCES alert (id),
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    change      text        NOT NULL CHECK (change IN ('opened', 'escalated', 'acknowledged', 'resolved')),
    from_status text,
    to_status   text        NOT NULL CHECK (to_status IN ('open', 'acknowledged', 'resolved')),
    note        text
);
CREATE INDEX alert_transition_alert ON alert_transition (alert_id, id);
