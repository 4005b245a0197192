package org.vigil.alerting.clinical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.alerting.clinical.AlertSignal.Kind.CLEAR;
import static org.vigil.alerting.clinical.AlertSignal.Kind.FLAP_SUPPRESSED;
import static org.vigil.alerting.clinical.AlertSignal.Kind.OPEN;
import static org.vigil.alerting.clinical.AlertSignal.Kind.UPDATE;
import static org.vigil.alerting.clinical.AlertSignal.Kind.WORSEN;
import static org.vigil.common.model.Severity.CRITICAL;
import static org.vigil.common.model.Severity.WARNING;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** The episode lifecycle as a pure state machine: repeats, worsening, hysteresis, flapping, doctor resolution. */
@Timeout(10)
class EpisodeTest {

    private static final long MIN = 60_000;
    private static final long HOUR = 60 * MIN;

    private final EpisodePolicy policy = new EpisodePolicy(LifecycleSettings.DEFAULTS);
    private final Episode episode = new Episode(policy);

    private Kind fire(long t, Severity s, double v) {
        return episode.onFiring(t, s, Metric.SPO2, v, false, policy);
    }

    private Kind fire(long t) {
        return fire(t, WARNING, 91);
    }

    private Kind ok(long t) {
        return episode.onInRange(t, policy);
    }

    @Test
    void repeatsUpdateAtMostEveryFifteenMinutesAndAWorseningNotifiesAtOnce() {
        assertThat(fire(0)).isEqualTo(OPEN);
        assertThat(fire(MIN)).isNull();
        assertThat(fire(14 * MIN, WARNING, 90.5)).as("a new worst value waits for the next update").isNull();
        assertThat(episode.worst).isEqualTo(90.5);
        assertThat(fire(15 * MIN)).isEqualTo(UPDATE);
        assertThat(fire(16 * MIN)).isNull();
        assertThat(fire(17 * MIN, CRITICAL, 88)).isEqualTo(WORSEN);
        assertThat(fire(18 * MIN, WARNING, 91)).as("severity never falls within an episode").isNull();
        assertThat(fire(32 * MIN)).as("15 minutes after the worsening").isEqualTo(UPDATE);
        assertThat(episode.severity).isEqualTo(CRITICAL);
        assertThat(episode.occurrences).isEqualTo(8);
        assertThat(episode.worst).isEqualTo(88);
        assertThat(episode.last).isEqualTo(91);
    }

    @Test
    void clearsOnlyAfterTheConfiguredNumberOfReadingsInRangeInARow() {
        fire(0);
        assertThat(ok(HOUR)).isNull();
        assertThat(fire(2 * HOUR)).as("a firing breaks the run (and is stored: 2 h since the last signal)")
                .isEqualTo(UPDATE);
        assertThat(ok(3 * HOUR)).isNull();
        assertThat(ok(4 * HOUR)).isEqualTo(CLEAR);
        assertThat(ok(5 * HOUR)).as("nothing left to clear").isNull();
        assertThat(fire(6 * HOUR)).as("a new episode").isEqualTo(OPEN);
    }

    @Test
    void aStreamClearsOnlyAfterBothTheCountAndTheDurationInRange() {
        EpisodePolicy stream = new EpisodePolicy(new LifecycleSettings(3, Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofHours(6), 2));
        Episode e = new Episode(stream);
        e.onFiring(0, WARNING, Metric.SPO2, 87, false, stream);
        for (int s = 1; s < 301; s++) {
            assertThat(e.onInRange(s * 1000L, stream)).as("second %d", s).isNull();
        }
        assertThat(e.onInRange(301_000, stream)).as("5 minutes after the first in-range second").isEqualTo(CLEAR);
    }

    @Test
    void anEpisodeThatKeepsClearingAndReopeningIsKeptActiveSilentlyAndCounted() {
        assertThat(fire(0)).isEqualTo(OPEN);
        ok(10 * MIN);
        assertThat(ok(20 * MIN)).isEqualTo(CLEAR);
        assertThat(fire(30 * MIN)).isEqualTo(OPEN);
        ok(40 * MIN);
        assertThat(ok(50 * MIN)).isEqualTo(CLEAR);

        assertThat(fire(60 * MIN)).as("third opening within 6 h of two clears").isEqualTo(FLAP_SUPPRESSED);
        assertThat(episode.flaps).isEqualTo(1);
        ok(70 * MIN);
        assertThat(ok(80 * MIN)).as("ordinary hysteresis met, but flapping holds the clear back").isNull();
        assertThat(fire(90 * MIN)).as("the suppressed clear-and-reopen is counted").isEqualTo(FLAP_SUPPRESSED);
        assertThat(episode.flaps).isEqualTo(2);
        assertThat(fire(95 * MIN)).as("a plain repeat is no flap").isNull();

        ok(100 * MIN);
        assertThat(ok(100 * MIN + 6 * HOUR - 1)).isNull();
        assertThat(ok(100 * MIN + 6 * HOUR)).as("in range for the whole flap window").isEqualTo(CLEAR);
    }

    @Test
    void flappingNeverHidesAWorseSeverity() {
        fire(0);
        ok(1);
        ok(2);
        fire(3);
        ok(4);
        ok(5);
        assertThat(fire(6, CRITICAL, 85)).isEqualTo(OPEN);
    }

    @Test
    void flapsAreCountedOnlyWithinTheWindow() {
        fire(0);
        ok(MIN);
        ok(2 * MIN);
        fire(3 * HOUR);
        ok(3 * HOUR + MIN);
        ok(3 * HOUR + 2 * MIN);
        assertThat(fire(7 * HOUR)).as("the first clear is more than 6 h ago").isEqualTo(OPEN);
    }

    @Test
    void outOfOrderEvidenceNeverClearsButAnOutOfOrderFiringBreaksTheRunItFallsInto() {
        EpisodePolicy three = new EpisodePolicy(new LifecycleSettings(3, Duration.ZERO, Duration.ofMinutes(15),
                Duration.ofHours(6), 2));
        Episode e = new Episode(three);
        e.onFiring(10 * HOUR, WARNING, Metric.SPO2, 91, false, three);
        assertThat(e.onInRange(8 * HOUR, three)).isNull();
        assertThat(e.onInRange(9 * HOUR, three)).as("older than what was seen: no evidence for clearing").isNull();
        e.onInRange(11 * HOUR, three);
        e.onInRange(12 * HOUR, three);
        assertThat(e.onFiring(11 * HOUR + 30 * MIN, WARNING, Metric.SPO2, 91, false, three))
                .as("a late firing inside the in-range run").isEqualTo(UPDATE);
        assertThat(e.onInRange(13 * HOUR, three)).as("would have cleared without the late firing").isNull();
        assertThat(e.onInRange(14 * HOUR, three)).isNull();
        assertThat(e.onInRange(15 * HOUR, three)).isEqualTo(CLEAR);
        assertThat(e.onFiring(5 * HOUR, WARNING, Metric.SPO2, 91, false, three))
                .as("a late firing after the clear raises a new episode").isEqualTo(OPEN);
    }

    @Test
    void aLateFiringBeforeTheInRangeRunLeavesTheRunAlone() {
        fire(10 * HOUR);
        ok(11 * HOUR);
        fire(10 * HOUR + 30 * MIN);
        assertThat(ok(12 * HOUR)).isEqualTo(CLEAR);
    }

    @Test
    void aResolvedEpisodeStaysQuietWhileItsConditionHoldsUnlessItWorsens() {
        fire(0);
        episode.resolvedByDoctor(policy);
        assertThat(fire(HOUR)).isNull();
        assertThat(fire(2 * HOUR, CRITICAL, 85)).isEqualTo(OPEN);
        episode.resolvedByDoctor(policy);
        assertThat(ok(3 * HOUR)).isNull();
        assertThat(ok(4 * HOUR)).as("clears without a signal: the store already resolved it").isNull();
        assertThat(fire(5 * HOUR)).isEqualTo(OPEN);
    }

    /**
     * Verifies the mark of an episode that may not clear itself: set when the hysteresis is met, kept by a late
     * firing from before the in-range run, lifted by a firing inside it, and gone with the doctor's resolution.
     */
    @Test
    void aCriticalEpisodeIsMarkedBackInRangeNotClosed() {
        assertThat(fire(0, CRITICAL, 85)).isEqualTo(OPEN);
        assertThat(ok(HOUR)).isNull();
        assertThat(ok(2 * HOUR)).isEqualTo(Kind.BACK_IN_RANGE);
        assertThat(episode.state).isEqualTo(Episode.State.OPEN);
        assertThat(episode.backInRangeAt).isEqualTo(2 * HOUR);
        assertThat(ok(3 * HOUR)).as("marked once").isNull();
        assertThat(fire(30 * MIN, CRITICAL, 80)).as("late, from before the run: recorded, mark kept").isEqualTo(UPDATE);
        assertThat(episode.backInRangeAt).isEqualTo(2 * HOUR);
        assertThat(episode.worst).as("still the headline").isEqualTo(80);
        assertThat(fire(90 * MIN, CRITICAL, 86)).as("inside the run: the condition is back").isEqualTo(Kind.RECUR);
        assertThat(episode.backInRangeAt).isEqualTo(Episode.NONE);
        ok(4 * HOUR);
        assertThat(ok(5 * HOUR)).isEqualTo(Kind.BACK_IN_RANGE);
        episode.resolvedByDoctor(policy);
        assertThat(episode.state).isEqualTo(Episode.State.CLOSED);
        assertThat(fire(6 * HOUR, CRITICAL, 85)).as("after the doctor's review, a new alert").isEqualTo(OPEN);
    }

    @Test
    void resolvingAnEpisodeAlreadyBackInRangeSimplyClosesIt() {
        fire(0);
        ok(HOUR);
        episode.resolvedByDoctor(policy);
        assertThat(fire(2 * HOUR)).isEqualTo(OPEN);
    }
}
