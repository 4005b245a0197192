package org.vigil.alerting.clinical;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.vigil.common.model.Metric;

/** Numbers, spans and metric names as a doctor reads them in an alert's detail. Pure functions. */
final class Format {

    private static final DateTimeFormatter INSTANT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** Whole numbers without decimals, others with one: 142, 3.9, 88.6. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        long tenths = Math.round(v * 10);
        if (tenths % 10 == 0) {
            return Long.toString(tenths / 10);
        }
        long abs = Math.abs(tenths);
        return (tenths < 0 ? "-" : "") + abs / 10 + "." + abs % 10;
    }

    static String label(Metric metric) {
        return switch (metric) {
            case SYSTOLIC_BP -> "systolic BP";
            case DIASTOLIC_BP -> "diastolic BP";
            case HEART_RATE -> "heart rate";
            case RESP_RATE -> "respiratory rate";
            case SPO2 -> "SpO2";
            case GLUCOSE -> "glucose";
            case BODY_WEIGHT -> "weight";
            case BODY_TEMP -> "temperature";
        };
    }

    static String unit(Metric metric) {
        return switch (metric) {
            case SYSTOLIC_BP, DIASTOLIC_BP -> " mmHg";
            case HEART_RATE, RESP_RATE -> " /min";
            case SPO2 -> " %";
            case GLUCOSE -> " mmol/L";
            case BODY_WEIGHT -> " kg";
            case BODY_TEMP -> " °C";
        };
    }

    /** A value with its unit: "186 mmHg". */
    static String value(Metric metric, double v) {
        return num(v) + unit(metric);
    }

    /** A length of time: "45 s", "5 min 12 s", "26 h", "3 days". */
    static String span(long millis) {
        long s = Math.max(0, millis / 1000);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s % 60 == 0 ? s / 60 + " min" : s / 60 + " min " + s % 60 + " s";
        }
        if (s < 2 * 86400 || s % 86400 != 0) {
            return s % 3600 == 0 || s >= 86400 ? s / 3600 + " h" : s / 3600 + " h " + s % 3600 / 60 + " min";
        }
        return s / 86400 + " days";
    }

    /** A window as an adjective: "7-day", "24-hour", "30-minute". */
    static String window(long millis) {
        long s = millis / 1000;
        if (s % 86400 == 0 && s != 86400) {
            return s / 86400 + "-day";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "-hour";
        }
        return s / 60 + "-minute";
    }

    static String instant(long epochMillis) {
        return INSTANT.format(Instant.ofEpochMilli(epochMillis));
    }
}
