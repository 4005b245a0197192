-- Escalation and snooze (issue 4). A critical alert nobody acknowledges is re-sent to the responsible doctor
-- and escalated one tier up (township, then county) every escalation interval; a doctor may snooze an alert
-- with a reason until a given time, which holds reminders and escalation back until then.

ALTER TABLE alert
    -- When the alert last told someone (opened, worsened, reminded, escalated): the next reminder counts from here.
    ADD COLUMN last_notified_at  timestamptz,
    -- The organisations it was escalated to, lowest tier first (the township above the clinic, then the
    -- county): their doctors are told of it, and of what happens to it afterwards.
    ADD COLUMN escalated_to      bigint[]    NOT NULL DEFAULT '{}',
    ADD COLUMN snoozed_until     timestamptz,
    ADD COLUMN snoozed_by        text,
    ADD COLUMN snooze_reason     text;

UPDATE alert SET last_notified_at = updated_at;

-- The escalation sweep looks only at open critical alerts.
CREATE INDEX alert_open_critical ON alert (last_notified_at) WHERE status = 'open' AND severity = 'critical';

ALTER TABLE alert_transition DROP CONSTRAINT alert_transition_change_check;
ALTER TABLE alert_transition ADD CONSTRAINT alert_transition_change_check
    CHECK (change IN ('opened', 'escalated', 'acknowledged', 'resolved', 'snoozed', 'reminded', 'tier_escalated'));
