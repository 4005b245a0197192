package org.vigil.alerting.clinical;

/**
 * NEWS2 parameter scores (Royal College of Physicians, 2017), one pure function per parameter. Values are
 * rounded to the resolution the chart uses (whole numbers; temperature to 0.1 °C) before banding.
 *
 * <p>At home two parameters of the chart are unknown: supplemental oxygen (scores 2 when given) and level of
 * consciousness (3 when not alert). Vigil scores neither, so a home total can only underestimate the chart's.
 * SpO2 scale 2 is scored as on air: 88–92 % and anything above score 0.
 */
final class News2Score {

    private News2Score() {
    }

    static int respiratoryRate(double perMinute) {
        long r = Math.round(perMinute);
        if (r <= 8) {
            return 3;
        }
        if (r <= 11) {
            return 1;
        }
        if (r <= 20) {
            return 0;
        }
        return r <= 24 ? 2 : 3;
    }

    /** SpO2 scale 1, for most patients. */
    static int spo2Scale1(double percent) {
        long r = Math.round(percent);
        if (r <= 91) {
            return 3;
        }
        if (r <= 93) {
            return 2;
        }
        return r <= 95 ? 1 : 0;
    }

    /** SpO2 scale 2, for patients at risk of hypercapnic respiratory failure (COPD), on air. */
    static int spo2Scale2(double percent) {
        long r = Math.round(percent);
        if (r <= 83) {
            return 3;
        }
        if (r <= 85) {
            return 2;
        }
        return r <= 87 ? 1 : 0;
    }

    static int systolic(double mmHg) {
        long r = Math.round(mmHg);
        if (r <= 90) {
            return 3;
        }
        if (r <= 100) {
            return 2;
        }
        if (r <= 110) {
            return 1;
        }
        return r <= 219 ? 0 : 3;
    }

    static int pulse(double perMinute) {
        long r = Math.round(perMinute);
        if (r <= 40) {
            return 3;
        }
        if (r <= 50) {
            return 1;
        }
        if (r <= 90) {
            return 0;
        }
        if (r <= 110) {
            return 1;
        }
        return r <= 130 ? 2 : 3;
    }

    static int temperature(double celsius) {
        long tenths = Math.round(celsius * 10);
        if (tenths <= 350) {
            return 3;
        }
        if (tenths <= 360) {
            return 1;
        }
        if (tenths <= 380) {
            return 0;
        }
        return tenths <= 390 ? 1 : 2;
    }
}
