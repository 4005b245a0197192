-- People sign in to the console as themselves: doctors and named administrators have accounts with a password
-- (Argon2id, PHC string). A doctor's console session is one of her doctor_token rows (issued at sign-in, with a
-- session's lifetime), so revocation and deactivation end it exactly as they end her API tokens; an
-- administrator's session lives in admin_session.

CREATE TABLE account (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login            text        NOT NULL,
    -- NULL: a named administrator; otherwise the doctor this account signs in as (one account per doctor).
    doctor_id        bigint      UNIQUE REFERENCES doctor (id),
    display_name     text        NOT NULL,
    password_hash    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    deactivated_at   timestamptz,
    -- Sign-in throttling: consecutive failures, and no attempt is judged before locked_until.
    failed_attempts  integer     NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    -- The one-time set-password link: SHA-256 of its random token, until it is used or expires.
    setup_hash       bytea       UNIQUE,
    setup_expires_at timestamptz
);
CREATE UNIQUE INDEX account_login ON account (lower(login));

CREATE TABLE admin_session (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint      NOT NULL REFERENCES account (id),
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX admin_session_account ON admin_session (account_id);
