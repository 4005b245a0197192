-- Ingest's read model: what other modules may read of stored readings and the ingest log, and all they may read.
-- Alerting names these views, never the tables behind them (docs/architecture.md, "Module boundaries").
-- Plain single-table views: PostgreSQL inlines them, so partition and chunk pruning on ts work as on the table.

-- Every stored reading with its log position (V12); NULL log_pos for readings stored before V12.
CREATE VIEW ingest_reading AS
    SELECT patient_id, metric, ts, device_id, value, log_pos FROM reading;

-- The ingest log's streams: one per writer connection; a stream's writer is alive while it holds the advisory
-- lock (1986, id), see V12.
CREATE VIEW ingest_reading_stream AS
    SELECT id, node, started_at FROM reading_stream;
