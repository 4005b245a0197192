package org.vigil.alerting.clinical;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.Objects;

/**
 * Calendar days in the patients' zone, as epoch-day numbers (days since 1970-01-01 there). A rule that counts
 * days ("readings on at least 3 days") must start each day at local midnight: for a patient in China a
 * reading at 07:00 and one at 21:00 are one day, though 21:00 is the next day in UTC. The zone is
 * configuration ({@link ClinicalRules#zone()}), never the JVM's default. Immutable.
 */
final class CalendarDays {

    private static final long DAY = 86_400_000L;

    private final ZoneRules rules;
    /** The offset in milliseconds when the zone never changes it, so the common case needs no lookup. */
    private final long fixedOffset;
    private final boolean fixed;

    CalendarDays(ZoneId zone) {
        this.rules = Objects.requireNonNull(zone, "zone").getRules();
        this.fixed = rules.isFixedOffset();
        this.fixedOffset = fixed ? rules.getOffset(Instant.EPOCH).getTotalSeconds() * 1000L : 0;
    }

    /** The local calendar day of an instant, epoch milliseconds. */
    long dayOf(long epochMillis) {
        long offset = fixed ? fixedOffset : rules.getOffset(Instant.ofEpochMilli(epochMillis)).getTotalSeconds() * 1000L;
        return Math.floorDiv(epochMillis + offset, DAY);
    }
}
