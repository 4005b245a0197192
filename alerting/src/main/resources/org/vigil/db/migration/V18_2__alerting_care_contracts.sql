-- Issue 14 (chronic-disease management): the narrow read contracts through which the chronic module sees other
-- modules' data (V18 ingest, V18.1 registry, V18.2 alerting). The chronic module reads only these views and
-- functions and its own tables (V19, V20); the module that owns the tables behind each keeps it true when they change.

-- Published by alerting: what the alert-response indicators need of each alert, nothing more.
CREATE VIEW alert_response AS
SELECT a.id, a.patient_id, a.doctor_id, a.organisation_id, a.severity, a.status, a.opened_at,
       a.acknowledged_at, cardinality(a.escalated_to) > 0 AS escalated, a.resolved_at, a.disposition
  FROM alert a;
