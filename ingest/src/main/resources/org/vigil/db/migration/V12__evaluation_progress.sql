-- Durable evaluation progress: every committed reading is evaluated at least once, across crashes.
--
-- Ingest writes readings as a log of streams. A stream is the life of one writer connection: it takes an id
-- from reading_stream_id, holds the session advisory lock (1986, id) for as long as the connection lives, and
-- numbers its readings log_pos = id * 2^32 + 1, 2, 3 ... in commit order. A stream whose lock is free has no
-- writer and never will again (ids are not reused).
--
-- Alerting keeps, per stream, the position up to which every reading was evaluated and the alerts it warranted
-- were recorded (evaluation_cursor). At start, and periodically for streams of nodes that died, it rebuilds
-- the patients of every dead stream's readings above its cursor; rebuilding reconciles with the alert store,
-- so a missed alert opens and an alert already recorded is not announced again. The stream is then finished.
ALTER TABLE reading ADD COLUMN log_pos bigint;
-- Positions grow with time, as rows are appended: a block-range index finds a stream's tail for a few pages.
CREATE INDEX reading_log_pos ON reading USING brin (log_pos);

CREATE SEQUENCE reading_stream_id;

CREATE TABLE reading_stream (
    id         bigint      PRIMARY KEY,
    node       text        NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE evaluation_cursor (
    stream     bigint      PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
