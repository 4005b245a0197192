package org.vigil.alerting.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * Escalation driven by the time passed in, against a real PostgreSQL: nothing sleeps. A critical alert climbs
 * from the village clinic to its township, then its county, then is reminded; a snooze holds it back until its
 * end; an acknowledgement stops it; a warning never escalates.
 */
@Timeout(60)
class EscalationStoreIT {

    @RegisterExtension
    static final StoreDatabase db = new StoreDatabase();

    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");
    private static final Duration AFTER = Duration.ofMinutes(15);

    private static long township;
    private static long county;
    private static long team;
    private static long doctor;

    @BeforeAll
    static void buildCareTree() throws Exception {
        county = db.tree.organisation("County", "county", null);
        township = db.tree.organisation("Township", "township", county);
        long village = db.tree.organisation("Village", "village", township);
        doctor = db.tree.doctor("Dr V", village);
        team = db.tree.team("Team", village, doctor);
    }

    private static long open(Severity severity) throws Exception {
        long patient = db.tree.patient("P", team, doctor, "hypertension");
        AlertSignal signal = new AlertSignal(patient, "blood_pressure_high", Kind.OPEN, severity, Metric.SYSTOLIC_BP, 190,
                190, T0.toEpochMilli(), false, "systolic 190", 1, 0);
        return db.signals.apply(List.of(signal), T0).get(0).alert().getLong("id");
    }

    /** What the sweep at {@code at} did to this alert: its change kind, or null. */
    private static AlertChange.Kind sweep(long alertId, Instant at) throws Exception {
        return db.escalation.escalateDue(at, AFTER, 500).stream().filter(c -> c.alert().getLong("id") == alertId)
                .map(AlertChange::kind).findFirst().orElse(null);
    }

    @Test
    void anUnacknowledgedCriticalAlertClimbsTheTreeEveryInterval() throws Exception {
        long id = open(Severity.CRITICAL);
        assertThat(sweep(id, T0.plus(AFTER).minusSeconds(1))).as("not yet due").isNull();
        assertThat(sweep(id, T0.plus(AFTER))).isEqualTo(AlertChange.Kind.TIER_ESCALATED);
        assertThat(db.queries.alert(id).orElseThrow().getJsonArray("escalatedTo")).containsExactly(township);
        assertThat(sweep(id, T0.plus(AFTER).plusSeconds(60))).as("the interval counts from the last notice").isNull();
        assertThat(sweep(id, T0.plus(AFTER.multipliedBy(2)))).isEqualTo(AlertChange.Kind.TIER_ESCALATED);
        assertThat(db.queries.alert(id).orElseThrow().getJsonArray("escalatedTo")).containsExactly(township, county);
        assertThat(sweep(id, T0.plus(AFTER.multipliedBy(3)))).as("no tier above the county").isEqualTo(AlertChange.Kind.REMINDED);

        db.actions.acknowledge(id, "doctor:" + doctor, T0.plus(AFTER.multipliedBy(3)).plusSeconds(1));
        assertThat(sweep(id, T0.plus(AFTER.multipliedBy(5)))).as("acknowledged: left alone").isNull();
    }

    @Test
    void aSnoozeHoldsEscalationBackUntilItsEnd() throws Exception {
        long id = open(Severity.CRITICAL);
        Instant until = T0.plus(Duration.ofMinutes(40));
        db.actions.snooze(id, "doctor:" + doctor, until, "patient on the way to the clinic", T0.plusSeconds(60));
        assertThat(sweep(id, T0.plus(AFTER))).isNull();
        assertThat(sweep(id, until.minusSeconds(1))).isNull();
        assertThat(sweep(id, until)).isEqualTo(AlertChange.Kind.TIER_ESCALATED);
    }

    @Test
    void aWarningIsNeverEscalated() throws Exception {
        long id = open(Severity.WARNING);
        assertThat(sweep(id, T0.plus(Duration.ofHours(5)))).isNull();
    }
}
