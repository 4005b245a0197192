package org.vigil.alerting.clinical;

/**
 * NEWS2 parameter scores (Royal College of Physicians, 2017), one pure function per parameter. Values are
 * rounded to the resolution the chart uses (whole numbers; temperature to 0.1 °C) before banding.
 *
 * <p>At home two parameters of the chart are unknown: supplemental oxygen (scores 2 when given) and level of
 * consciousness (3 when not alert). Vigil scores neither, so a home total can only underestimate the chart's.
 * SpO2 scale 2 is scored as on air: 88–92 % and anything above score 0.
 *
 * <p>Each parameter is one row of the chart, written as the chart reads: the score of each band up to its upper
 * limit, then the score of everything above the last band.
 */
final class News2Score {

    /** Respiration rate per minute: ≤8, 9–11, 12–20, 21–24, ≥25. */
    private static final Row RESPIRATION = new Row(new long[] {8, 11, 20, 24}, new int[] {3, 1, 0, 2}, 3);
    /** SpO2 % on scale 1: ≤91, 92–93, 94–95, ≥96. */
    private static final Row SPO2_SCALE_1 = new Row(new long[] {91, 93, 95}, new int[] {3, 2, 1}, 0);
    /** SpO2 % on scale 2, on air: ≤83, 84–85, 86–87, ≥88. */
    private static final Row SPO2_SCALE_2 = new Row(new long[] {83, 85, 87}, new int[] {3, 2, 1}, 0);
    /** Systolic blood pressure in mmHg: ≤90, 91–100, 101–110, 111–219, ≥220. */
    private static final Row SYSTOLIC = new Row(new long[] {90, 100, 110, 219}, new int[] {3, 2, 1, 0}, 3);
    /** Pulse per minute: ≤40, 41–50, 51–90, 91–110, 111–130, ≥131. */
    private static final Row PULSE = new Row(new long[] {40, 50, 90, 110, 130}, new int[] {3, 1, 0, 1, 2}, 3);
    /** Temperature in tenths of a degree Celsius: ≤35.0, 35.1–36.0, 36.1–38.0, 38.1–39.0, ≥39.1. */
    private static final Row TEMPERATURE = new Row(new long[] {350, 360, 380, 390}, new int[] {3, 1, 0, 1}, 2);

    /** One row of the chart: {@code scores[i]} up to {@code upTo[i]} inclusive (ascending), {@code above} beyond. */
    private record Row(long[] upTo, int[] scores, int above) {

        Row {
            if (upTo.length != scores.length) {
                throw new IllegalArgumentException("one score per band");
            }
        }

        int score(long value) {
            for (int i = 0; i < upTo.length; i++) {
                if (value <= upTo[i]) {
                    return scores[i];
                }
            }
            return above;
        }
    }

    private News2Score() {
    }

    static int respiratoryRate(double perMinute) {
        return RESPIRATION.score(Math.round(perMinute));
    }

    /** SpO2 scale 1, for most patients. */
    static int spo2Scale1(double percent) {
        return SPO2_SCALE_1.score(Math.round(percent));
    }

    /** SpO2 scale 2, for patients at risk of hypercapnic respiratory failure (COPD), on air. */
    static int spo2Scale2(double percent) {
        return SPO2_SCALE_2.score(Math.round(percent));
    }

    static int systolic(double mmHg) {
        return SYSTOLIC.score(Math.round(mmHg));
    }

    static int pulse(double perMinute) {
        return PULSE.score(Math.round(perMinute));
    }

    static int temperature(double celsius) {
        return TEMPERATURE.score(Math.round(celsius * 10));
    }
}
