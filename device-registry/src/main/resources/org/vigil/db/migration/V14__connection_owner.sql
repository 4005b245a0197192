-- Which ingest node holds a device's connection. A node that stops without recording its disconnects (SIGKILL,
-- power cut, database gone at shutdown) would otherwise leave its devices "connected" for good; at its next start
-- it marks the devices it held as disconnected, and only those, so several nodes can share one database.
ALTER TABLE device ADD COLUMN connection_node text;
CREATE INDEX device_connection_node ON device (connection_node) WHERE connected;

-- Each ingest node's last sign of life, written with every device-state flush: when a node comes back after a
-- crash, its devices are recorded as disconnected at this time, the last moment they were known connected, not at
-- the restart.
CREATE TABLE ingest_node (
    id           text        PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);

-- Rows written before this version name no node, so no start would ever clear them: a device shown connected now
-- was connected to a node that has since stopped (this migration runs while no node of this version serves MQTT).
UPDATE device SET connected = false, connection_changed_at = now() WHERE connected;
