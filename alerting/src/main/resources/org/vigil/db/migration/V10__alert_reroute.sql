-- An active alert follows its patient to the doctor now responsible when her contract changes or ends: the
-- transition that records it.

ALTER TABLE alert_transition DROP CONSTRAINT alert_transition_change_check;
ALTER TABLE alert_transition ADD CONSTRAINT alert_transition_change_check
    CHECK (change IN ('opened', 'escalated', 'acknowledged', 'resolved', 'snoozed', 'reminded', 'tier_escalated',
                      'rerouted'));
