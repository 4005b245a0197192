-- Who looks after whom, and which device measures whom.

CREATE TABLE doctor (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    institution text        NOT NULL,
    tier        text        NOT NULL CHECK (tier IN ('village', 'township', 'county')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE patient (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    doctor_id   bigint      NOT NULL REFERENCES doctor (id),
    conditions  text[]      NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patient_doctor ON patient (doctor_id);

CREATE TABLE device (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    serial      text        NOT NULL UNIQUE,
    type        text        NOT NULL,
    patient_id  bigint      NOT NULL REFERENCES patient (id),
    -- The secret is shown once at registration; only salt and SHA-256(salt || secret) are kept.
    secret_salt bytea       NOT NULL,
    secret_hash bytea       NOT NULL,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_patient ON device (patient_id);
