package org.vigil.ingest.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * Turns a device payload into readings, value by value, so one bad value never costs the good ones.
 *
 * <p>Accepted shape: one object or an array of objects, each
 * {@code {"ts": <epoch ms | ISO-8601>, "values": {"<metric>": <number>, ...}, "units": {"<metric>": "<unit>"}}}.
 * {@code ts} may be omitted, and then the reading is stamped with the server's receive time; {@code units}
 * is optional and only glucose has an alternative unit ({@code mg/dL}). Unknown fields are ignored.
 *
 * <p>Parsing streams tokens with Jackson (no tree per message). A syntax error ends parsing: the entries
 * completed before it are kept and the message counts once as {@link Rejection#MALFORMED}. Instances are
 * immutable and thread-safe.
 */
public final class PayloadParser {

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(40).build())
            .build();

    private final Duration maxAge;
    private final Duration maxSkew;
    private final int maxReadings;

    /**
     * @param maxAge       oldest measurement accepted, relative to now (buffered uploads)
     * @param maxSkew      how far in the future a device clock may run
     * @param maxReadings  values accepted from one message; the rest are rejected
     */
    public PayloadParser(Duration maxAge, Duration maxSkew, int maxReadings) {
        this.maxAge = maxAge;
        this.maxSkew = maxSkew;
        this.maxReadings = maxReadings;
    }

    /**
     * Whose readings a device takes at a measurement time: a device moves between patients, and a reading
     * belongs to the patient the device was bound to when it was measured (buffered uploads included).
     */
    @FunctionalInterface
    public interface Attribution {
        /** The patient id, or {@code 0} when the device was bound to nobody then. */
        long patientAt(long measuredAtMillis);

        static Attribution always(long patientId) {
            return ts -> patientId;
        }
    }

    /** Parses a payload from the device with that id, bound to that patient, received at {@code nowMillis}. */
    public ParseResult parse(byte[] payload, long deviceId, long patientId, long nowMillis) {
        return parse(payload, deviceId, Attribution.always(patientId), nowMillis);
    }

    /** Parses a payload from the device with that id, attributing each entry by its measurement time. */
    public ParseResult parse(byte[] payload, long deviceId, Attribution patients, long nowMillis) {
        Session s = new Session(deviceId, patients, nowMillis);
        try (JsonParser p = JSON.createParser(payload)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                s.entry(p);
            } else if (first == JsonToken.START_ARRAY) {
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                    s.entry(p);
                }
                if (t != JsonToken.END_ARRAY) {
                    s.reject(Rejection.MALFORMED, 1);
                    return s.result();
                }
            } else {
                s.reject(Rejection.MALFORMED, 1);
                return s.result();
            }
            if (p.nextToken() != null) {
                s.reject(Rejection.MALFORMED, 1);
            }
        } catch (IOException | RuntimeException e) {
            // Jackson reports truncated or invalid JSON as an exception; what parsed before it stands.
            s.reject(Rejection.MALFORMED, 1);
        }
        return s.result();
    }

    /** Per-message state: the output lists and the values of the entry being read. */
    private final class Session {
        private final long deviceId;
        private final Attribution patients;
        private final long now;
        private final List<Reading> readings = new ArrayList<>();
        private final int[] rejected = new int[Rejection.values().length];

        // The entry being read: its values are held until the entry ends, because "ts" and "units" may
        // come after "values".
        private final List<Metric> metrics = new ArrayList<>();
        private final List<Double> numbers = new ArrayList<>();
        private boolean glucoseInMgDl;

        Session(long deviceId, Attribution patients, long now) {
            this.deviceId = deviceId;
            this.patients = patients;
            this.now = now;
        }

        void reject(Rejection reason, int count) {
            rejected[reason.ordinal()] += count;
        }

        ParseResult result() {
            return new ParseResult(readings, rejected);
        }

        /** Reads one entry object; the parser stands on its START_OBJECT. */
        void entry(JsonParser p) throws IOException {
            metrics.clear();
            numbers.clear();
            glucoseInMgDl = false;
            long ts = now;
            boolean badTs = false;
            boolean unitProblem = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "ts" -> {
                        long parsed = timestamp(p, value);
                        if (parsed == Long.MIN_VALUE) {
                            badTs = true;
                        } else {
                            ts = parsed;
                        }
                    }
                    case "values" -> values(p, value);
                    case "units" -> unitProblem |= units(p, value);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IOException("entry not closed");
            }
            int count = metrics.size();
            if (badTs) {
                reject(Rejection.BAD_TIMESTAMP, count);
                return;
            }
            if (ts < now - maxAge.toMillis()) {
                reject(Rejection.TOO_OLD, count);
                return;
            }
            if (ts > now + maxSkew.toMillis()) {
                reject(Rejection.IN_FUTURE, count);
                return;
            }
            long patientId = patients.patientAt(ts);
            if (patientId == 0) {
                reject(Rejection.UNBOUND, count);
                return;
            }
            for (int i = 0; i < count; i++) {
                Metric metric = metrics.get(i);
                double value = numbers.get(i);
                if (metric == Metric.GLUCOSE && unitProblem) {
                    reject(Rejection.UNKNOWN_UNIT, 1);
                    continue;
                }
                if (metric == Metric.GLUCOSE && glucoseInMgDl) {
                    value = value / Metric.GLUCOSE_MG_DL_PER_MMOL_L;
                }
                if (!metric.plausible(value)) {
                    reject(Rejection.IMPLAUSIBLE, 1);
                    continue;
                }
                if (readings.size() >= maxReadings) {
                    reject(Rejection.TOO_MANY_READINGS, 1);
                    continue;
                }
                readings.add(new Reading(deviceId, patientId, metric, ts, value));
            }
        }

        private void values(JsonParser p, JsonToken start) throws IOException {
            if (start != JsonToken.START_OBJECT) {
                p.skipChildren();
                reject(Rejection.MALFORMED, 1);
                return;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                Metric metric = Metric.byName(p.currentName());
                JsonToken value = p.nextToken();
                if (metric == null) {
                    p.skipChildren();
                    reject(Rejection.UNKNOWN_METRIC, 1);
                } else if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                    double d = p.getDoubleValue();
                    if (Double.isFinite(d)) {
                        metrics.add(metric);
                        numbers.add(d);
                    } else {
                        reject(Rejection.NOT_A_NUMBER, 1);
                    }
                } else {
                    p.skipChildren();
                    reject(Rejection.NOT_A_NUMBER, 1);
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IOException("values not closed");
            }
        }

        /** Reads the units object; returns whether glucose carried a unit that cannot be converted. */
        private boolean units(JsonParser p, JsonToken start) throws IOException {
            if (start != JsonToken.START_OBJECT) {
                p.skipChildren();
                return false;
            }
            boolean problem = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                String unit = value == JsonToken.VALUE_STRING ? p.getText() : null;
                if (value != JsonToken.VALUE_STRING) {
                    p.skipChildren();
                }
                if ("glucose".equals(name)) {
                    if ("mg/dL".equalsIgnoreCase(unit)) {
                        glucoseInMgDl = true;
                    } else if (!"mmol/L".equalsIgnoreCase(unit)) {
                        problem = true;
                    }
                }
            }
            return problem;
        }

        /** Epoch milliseconds from a number or ISO-8601 text; {@code Long.MIN_VALUE} when it is neither. */
        private long timestamp(JsonParser p, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                return p.getLongValue();
            }
            if (value == JsonToken.VALUE_STRING) {
                try {
                    return Instant.parse(p.getText()).toEpochMilli();
                } catch (DateTimeParseException | ArithmeticException e) {
                    return Long.MIN_VALUE;
                }
            }
            p.skipChildren();
            return Long.MIN_VALUE;
        }
    }
}
