package org.vigil.simulator.population;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the JSON payloads devices publish: {@code {"ts": <epoch ms>, "values": {...}}} for one
 * measurement, an array of those for a batch (a wearable's samples, or a buffered upload). Written by
 * hand into a reused buffer rather than through a JSON tree: at tens of thousands of messages a second
 * the payload is on the hot path, and numbers and metric names need no escaping.
 *
 * <p>Not thread-safe: one writer per thread (each load lane has its own).
 */
public final class Payloads {

    /** Ways a device garbles a payload; each is counted apart from the regular traffic. */
    public enum Malformation {
        /** Cut off inside the first entry, as a flaky radio link does; nothing in it is storable. */
        TRUNCATED,
        /** A value that is not a number. */
        NOT_A_NUMBER,
        /** A metric the server does not know. */
        UNKNOWN_METRIC,
        /** A value outside what any living patient shows. */
        OUT_OF_RANGE,
        /** Bytes that are not JSON at all. */
        NOT_JSON
    }

    private final StringBuilder json = new StringBuilder(256);

    /** The topic a device publishes its payloads to: the only one the server accepts from it. */
    public static String topic(String serial) {
        return "v1/devices/" + serial + "/vitals";
    }

    private int entries;

    /** Starts a payload of {@code count} entries. */
    public Payloads begin(int count) {
        json.setLength(0);
        entries = 0;
        if (count > 1) {
            json.append('[');
        }
        return this;
    }

    /** Adds one entry: values in the order of {@code metrics}. */
    public Payloads entry(long ts, List<Metric> metrics, double[] values) {
        if (entries++ > 0) {
            json.append(',');
        }
        json.append("{\"ts\":").append(ts).append(",\"values\":{");
        for (int i = 0; i < metrics.size(); i++) {
            Metric m = metrics.get(i);
            if (i > 0) {
                json.append(',');
            }
            json.append('"').append(m.wireName()).append("\":");
            number(m, values[i]);
        }
        json.append("}}");
        return this;
    }

    /** The payload bytes (UTF-8; in fact ASCII). */
    public byte[] finish() {
        if (entries > 1) {
            json.append(']');
        }
        return json.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A garbled single-entry payload of that kind. */
    public byte[] malformed(Malformation kind, long ts, List<Metric> metrics, double[] values) {
        return switch (kind) {
            case TRUNCATED -> {
                byte[] whole = begin(1).entry(ts, metrics, values).finish();
                yield java.util.Arrays.copyOf(whole, whole.length / 2);
            }
            case NOT_A_NUMBER -> ("{\"ts\":" + ts + ",\"values\":{\"" + metrics.get(0).wireName() + "\":\"high\"}}")
                    .getBytes(StandardCharsets.US_ASCII);
            case UNKNOWN_METRIC -> ("{\"ts\":" + ts + ",\"values\":{\"mood\":3}}").getBytes(StandardCharsets.US_ASCII);
            case OUT_OF_RANGE -> ("{\"ts\":" + ts + ",\"values\":{\"" + metrics.get(0).wireName() + "\":9999}}")
                    .getBytes(StandardCharsets.US_ASCII);
            case NOT_JSON -> new byte[] {(byte) 0xff, 0x00, 0x13, 0x37, '<', '?'};
        };
    }

    private void number(Metric m, double v) {
        if (m.whole()) {
            json.append(Math.round(v));
            return;
        }
        long tenths = Math.round(v * 10);
        if (tenths < 0) {
            json.append('-');
            tenths = -tenths;
        }
        json.append(tenths / 10).append('.').append(tenths % 10);
    }
}
