package org.vigil.chronic.control;

import java.time.LocalDate;
import java.util.Objects;

/**
 * Values a doctor took at a follow-up; any may be missing ({@code null}).
 *
 * @param on              the day of the follow-up, in the patients' time zone
 * @param systolic        office systolic BP, mmHg
 * @param diastolic       office diastolic BP, mmHg
 * @param fastingGlucose  fasting glucose, mmol/L
 */
public record OfficeMeasurement(LocalDate on, Double systolic, Double diastolic, Double fastingGlucose) {

    public OfficeMeasurement {
        Objects.requireNonNull(on, "on");
    }

    boolean hasBloodPressure() {
        return systolic != null && diastolic != null;
    }
}
