-- Saved engine state is kept per owner: '' for the nodes of a cluster, which take each other's patients over, and
-- 'node:<VIGIL_NODE_ID>' for a node without Kafka, which resumes its own patients after a restart. Nodes that share
-- a database without Kafka each evaluate what their own devices send, so one must not resume from another's state.
ALTER TABLE alert_engine_state ADD COLUMN owner text NOT NULL DEFAULT '';
ALTER TABLE alert_engine_state DROP CONSTRAINT alert_engine_state_pkey;
ALTER TABLE alert_engine_state ADD PRIMARY KEY (owner, patient_id);
