-- Doctors' own API tokens: issued by admin, shown once, stored as SHA-256 (tokens are 256 random bits).

CREATE TABLE doctor_token (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    doctor_id   bigint      NOT NULL REFERENCES doctor (id),
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX doctor_token_doctor ON doctor_token (doctor_id);
