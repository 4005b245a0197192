package org.vigil.chronic.control;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The thresholds and windows of control evaluation; the defaults and their sources are in
 * {@code chronic-care.json} and docs/chronic-care.md.
 *
 * @param policy             name of the blood-pressure policy the bands come from ({@code standard}, {@code intensive})
 * @param bands              BP targets by age band, the first ({@code minAge 0}) also for patients of unknown age
 * @param bpWindow           home BP mean over this long before now (7 days)
 * @param bpMinReadings      at least this many systolic readings in the window (6, as the 7-day mean rule)
 * @param bpMinDays          on at least this many calendar days in {@code zone} (3)
 * @param officeValidFor     a follow-up's office measurement counts for this long (a quarter: the routine interval)
 * @param fastingTarget      fasting glucose below this is controlled (7.0 mmol/L)
 * @param glucoseWindow      fasting home readings over this long before now
 * @param glucoseMinReadings at least this many fasting readings in that window
 * @param spo2Low            COPD home monitoring: mean SpO2 at or above this is in the target band (88 %)
 * @param spo2Window         SpO2 mean over this long
 * @param spo2MinReadings    at least this many SpO2 readings in that window
 * @param weightGainKg       heart failure home monitoring: a gain above this ... (2 kg)
 * @param weightGainPeriod   ... within this long is a warning sign (3 days)
 * @param weightWindow       the newest weight must be this recent
 * @param zone               where the patients live: calendar days and follow-up dates
 */
public record ControlRules(String policy, List<AgeBand> bands, Duration bpWindow, int bpMinReadings, int bpMinDays,
        Duration officeValidFor, double fastingTarget, Duration glucoseWindow, int glucoseMinReadings, double spo2Low,
        Duration spo2Window, int spo2MinReadings, double weightGainKg, Duration weightGainPeriod, Duration weightWindow,
        ZoneId zone) {

    public ControlRules {
        Objects.requireNonNull(policy, "policy");
        bands = bands.stream().sorted(Comparator.comparingInt(AgeBand::minAge)).toList();
        if (bands.isEmpty() || bands.get(0).minAge() != 0) {
            throw new IllegalArgumentException("the BP bands must start at minAge 0");
        }
        Objects.requireNonNull(zone, "zone");
    }

    /** The band for that age; the first band when the age is not known. */
    public AgeBand band(Integer age) {
        AgeBand chosen = bands.get(0);
        if (age == null) {
            return chosen;
        }
        for (AgeBand b : bands) {
            if (age >= b.minAge()) {
                chosen = b;
            }
        }
        return chosen;
    }
}
