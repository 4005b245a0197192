-- The registry's read model: what other modules may read of the registry's data, and all they may read.
-- Alerting and ingest name these views (and the functions visible_patients and doctor_sees_patient), never the
-- tables behind them, so the registry can reshape its tables by keeping the views' columns and meanings.
-- Plain single-table views: PostgreSQL inlines them, so a query plans exactly as it did on the table.
-- Writes go through the registry's Java API (DeviceStore, PatientStore), never through these views.
-- Contract: docs/architecture.md, "Module boundaries". Not here: names, secrets, token hashes, audit events.

-- A patient as monitoring needs her: conditions and grade, never her name.
CREATE VIEW registry_patient AS
    SELECT id, conditions, grade, created_at FROM patient;

-- Who is responsible for a patient, over time: the current contract is the one valid now.
CREATE VIEW registry_contract AS
    SELECT patient_id, team_id, doctor_id, valid_from, valid_to FROM contract;

CREATE VIEW registry_team AS
    SELECT id, organisation_id FROM team;

-- The organisation tree: path lists the ids from the root down, '/1/4/9/'.
CREATE VIEW registry_organisation AS
    SELECT id, parent_id, tier, path FROM organisation;

CREATE VIEW registry_doctor AS
    SELECT id, organisation_id, deactivated_at FROM doctor;

-- Whether a token still gives access; the token hash stays with the registry.
CREATE VIEW registry_doctor_token AS
    SELECT id, doctor_id, revoked_at, expires_at FROM doctor_token;

-- Every version of every care plan; the current one is the highest version.
CREATE VIEW registry_care_plan AS
    SELECT patient_id, version, plan FROM care_plan;

-- Which patient a device measures, over time.
CREATE VIEW registry_device_binding AS
    SELECT device_id, patient_id, valid_from, valid_to FROM device_binding;

-- A device's connection state, as the MQTT endpoints last recorded it through the registry's DeviceStore.
CREATE VIEW registry_device AS
    SELECT id, connected, connection_changed_at FROM device;
