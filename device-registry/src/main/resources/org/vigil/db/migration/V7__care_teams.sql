-- Care-team registry (issue 3): organisations in tiers, family-doctor teams, contracts with history,
-- management grade, care plans with history, device bindings with validity, device connection state, and
-- an append-only audit log. Existing data is carried over: every doctor's institution becomes a root
-- organisation with one team, every patient gets a contract with her doctor, every device a binding.

CREATE TABLE organisation (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    tier        text        NOT NULL CHECK (tier IN ('village', 'township', 'county')),
    parent_id   bigint      REFERENCES organisation (id),
    -- Ids from the root down to this one, '/1/4/9/': a subtree is a prefix match, without recursion.
    -- Organisations do not move, so the path never changes.
    path        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisation_parent ON organisation (parent_id);
CREATE INDEX organisation_path ON organisation (path text_pattern_ops);

INSERT INTO organisation (name, tier, path) SELECT DISTINCT institution, tier, '' FROM doctor;
UPDATE organisation SET path = '/' || id || '/';

ALTER TABLE doctor ADD COLUMN organisation_id bigint REFERENCES organisation (id);
UPDATE doctor d SET organisation_id = o.id FROM organisation o WHERE o.name = d.institution AND o.tier = d.tier;
ALTER TABLE doctor ALTER COLUMN organisation_id SET NOT NULL;
ALTER TABLE doctor DROP COLUMN institution, DROP COLUMN tier;
CREATE INDEX doctor_organisation ON doctor (organisation_id);

CREATE TABLE team (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL,
    organisation_id bigint      NOT NULL REFERENCES organisation (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX team_organisation ON team (organisation_id);

CREATE TABLE team_member (
    team_id   bigint NOT NULL REFERENCES team (id),
    doctor_id bigint NOT NULL REFERENCES doctor (id),
    PRIMARY KEY (team_id, doctor_id)
);
CREATE INDEX team_member_doctor ON team_member (doctor_id);

INSERT INTO team (name, organisation_id) SELECT o.name || ' family-doctor team', o.id FROM organisation o;
INSERT INTO team_member (team_id, doctor_id)
SELECT t.id, d.id FROM team t JOIN doctor d ON d.organisation_id = t.organisation_id;

-- A patient's family-doctor contract: with a team, one doctor of it responsible. A new contract ends the
-- current one; rows are never deleted, so "who was responsible at time T" has an answer.
CREATE TABLE contract (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id  bigint      NOT NULL REFERENCES patient (id),
    team_id     bigint      NOT NULL REFERENCES team (id),
    doctor_id   bigint      NOT NULL REFERENCES doctor (id),
    valid_from  timestamptz NOT NULL,
    valid_to    timestamptz,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX contract_open ON contract (patient_id) WHERE valid_to IS NULL;
CREATE INDEX contract_patient ON contract (patient_id, valid_from DESC);
CREATE INDEX contract_doctor ON contract (doctor_id, patient_id);
CREATE INDEX contract_team ON contract (team_id, patient_id);

INSERT INTO contract (patient_id, team_id, doctor_id, valid_from, created_by)
SELECT p.id, t.id, p.doctor_id, p.created_at, 'migration'
  FROM patient p JOIN doctor d ON d.id = p.doctor_id JOIN team t ON t.organisation_id = d.organisation_id;

ALTER TABLE patient DROP COLUMN doctor_id;
ALTER TABLE patient ADD COLUMN grade smallint NOT NULL DEFAULT 1 CHECK (grade BETWEEN 1 AND 3);

-- The alert goes to whoever is responsible when it opens; for a patient without a contract at that
-- moment it is recorded for operations, routed to nobody.
ALTER TABLE alert ALTER COLUMN doctor_id DROP NOT NULL;
ALTER TABLE alert ADD COLUMN organisation_id bigint REFERENCES organisation (id);
UPDATE alert a SET organisation_id = d.organisation_id FROM doctor d WHERE d.id = a.doctor_id;
CREATE INDEX alert_patient_opened ON alert (patient_id, id DESC);

-- Care plans: every change is a new version; the current plan is the newest. Who changed it and when is
-- on the row itself.
CREATE TABLE care_plan (
    patient_id  bigint      NOT NULL REFERENCES patient (id),
    version     integer     NOT NULL CHECK (version > 0),
    plan        jsonb       NOT NULL,
    changed_by  text        NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (patient_id, version)
);

-- Which patient a device measures, and since when: readings are attributed by measurement time.
CREATE TABLE device_binding (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id   bigint      NOT NULL REFERENCES device (id),
    patient_id  bigint      NOT NULL REFERENCES patient (id),
    valid_from  timestamptz NOT NULL,
    valid_to    timestamptz,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX device_binding_open ON device_binding (device_id) WHERE valid_to IS NULL;
CREATE INDEX device_binding_device ON device_binding (device_id, valid_from);
CREATE INDEX device_binding_patient ON device_binding (patient_id);

-- A device's first binding also covers what it measured before registration (buffered readings).
INSERT INTO device_binding (device_id, patient_id, valid_from, created_by)
SELECT id, patient_id, '-infinity', 'migration' FROM device;

ALTER TABLE device DROP COLUMN patient_id;
ALTER TABLE device
    ADD COLUMN model                 text,
    ADD COLUMN firmware              text,
    ADD COLUMN last_seen_at          timestamptz,
    ADD COLUMN connected             boolean NOT NULL DEFAULT false,
    ADD COLUMN connection_changed_at timestamptz;

-- Who changed or read what, when. Append-only: nothing may update, delete or truncate it.
CREATE TABLE audit_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    action      text        NOT NULL,
    target_type text        NOT NULL,
    target_id   bigint,
    patient_id  bigint,
    detail      jsonb
);
CREATE INDEX audit_event_actor ON audit_event (actor, id);
CREATE INDEX audit_event_patient ON audit_event (patient_id, id) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_event_target ON audit_event (target_type, target_id, id);

CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only';
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();

-- Whether a doctor may see a patient now: she is the responsible doctor or in the contracted team, or she
-- works at a township or county organisation above (or at) the team's organisation.
CREATE FUNCTION doctor_sees_patient(doc bigint, pat bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
          FROM contract c
          JOIN team t ON t.id = c.team_id
          JOIN organisation o ON o.id = t.organisation_id
          JOIN doctor d ON d.id = doc
          JOIN organisation mine ON mine.id = d.organisation_id
         WHERE c.patient_id = pat
           AND c.valid_from <= now() AND (c.valid_to IS NULL OR c.valid_to > now())
           AND (c.doctor_id = doc
                OR EXISTS (SELECT 1 FROM team_member m WHERE m.team_id = c.team_id AND m.doctor_id = doc)
                OR (mine.tier <> 'village' AND o.path LIKE mine.path || '%')))
$$;
