-- Issue 14, part 2: follow-ups (随访) with their classified-intervention outcome, and management grades with
-- history. Rows are appended, never updated: the newest follow-up of a patient holds her next due date, the
-- newest grade decision her current grade.

CREATE TABLE follow_up (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id         bigint      NOT NULL REFERENCES patient (id),
    -- The conditions the visit covered: one visit of a patient with hypertension and diabetes covers both.
    conditions         text[]      NOT NULL CHECK (cardinality(conditions) > 0),
    done_on            date        NOT NULL,
    type               text        NOT NULL CHECK (type IN ('face_to_face', 'phone', 'home_visit', 'remote_review')),
    doctor_id          bigint      NOT NULL REFERENCES doctor (id),
    -- Values taken at the visit: systolic_bp, diastolic_bp, fasting_glucose, heart_rate, body_weight, spo2.
    measurements       jsonb       NOT NULL DEFAULT '{}',
    classification     text        NOT NULL
                       CHECK (classification IN ('controlled', 'uncontrolled', 'adverse_reaction', 'complication')),
    actions            text[]      NOT NULL DEFAULT '{}',
    note               text,
    -- The classified-intervention rule that applied (routine, recheck, referral) and the date it gives.
    next_rule          text        NOT NULL,
    next_due           date        NOT NULL,
    referral_suggested boolean     NOT NULL,
    recorded_by        text        NOT NULL,
    recorded_at        timestamptz NOT NULL
);
CREATE INDEX follow_up_patient ON follow_up (patient_id, done_on DESC, id DESC);
CREATE INDEX follow_up_done ON follow_up (done_on, patient_id);

CREATE TABLE management_grade (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id  bigint      NOT NULL REFERENCES patient (id),
    grade       smallint    NOT NULL CHECK (grade BETWEEN 1 AND 3),
    -- What the data suggested when the doctor decided, and why.
    suggested   smallint    NOT NULL CHECK (suggested BETWEEN 1 AND 3),
    reasons     jsonb       NOT NULL,
    decision    text        NOT NULL CHECK (decision IN ('confirmed', 'overridden')),
    note        text,
    decided_by  text        NOT NULL,
    decided_at  timestamptz NOT NULL
);
CREATE INDEX management_grade_patient ON management_grade (patient_id, id DESC);
