-- A critical event must not vanish before a doctor has seen it (issue 11). An alert of a severity that may not
-- clear itself (critical, by default) is only marked back in range when its readings return to range: it stays
-- active, and escalating while unacknowledged, until a doctor resolves it. The mark is the measurement time at
-- which the rule's hysteresis was met; it is lifted when the condition fires again. Alerts that do clear
-- themselves keep the moment they cleared here too.

ALTER TABLE alert ADD COLUMN back_in_range_at timestamptz;
