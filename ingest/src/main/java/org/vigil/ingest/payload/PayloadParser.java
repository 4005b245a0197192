package org.vigil.ingest.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * Turns a device payload into readings, entry by entry and value by value, so one bad entry or value never
 * costs the good ones around it.
 *
 * <p>Accepted shape: one object or an array of objects, each
 * {@code {"ts": <epoch ms | ISO-8601>, "values": {"<metric>": <number>, ...}, "units": {"<metric>": "<unit>"},
 * "context": "<fasting | before_meal | after_meal | bedtime | random>"}}.
 * {@code ts} may be omitted, and then the reading is stamped with the server's receive time; a fractional
 * {@code ts} is truncated to the millisecond; {@code units}
 * is optional and only glucose has an alternative unit ({@code mg/dL}); {@code context} is optional, says when the
 * entry's glucose was measured relative to meals and is stored with the glucose readings only. Unknown fields are
 * ignored.
 *
 * <p>What is judged alone, and how it is counted:
 * <ul>
 *   <li>an array entry that is not an object (a number, text, {@code null}, a nested array), or an entry
 *       whose {@code values} is missing or not an object: {@link Rejection#BAD_ENTRY}, once per entry;
 *   <li>a value that is not a finite number ({@code NaN}, {@code Infinity}, {@code 1e999}, text, {@code null}):
 *       {@link Rejection#NOT_A_NUMBER}, that value only;
 *   <li>a {@code ts} that is not a time (out of the epoch-millisecond range, text that is not an ISO-8601
 *       instant): {@link Rejection#BAD_TIMESTAMP}, the values of that entry;
 *   <li>a field given twice in one entry ({@code ts}, a metric, the glucose unit): {@link Rejection#AMBIGUOUS},
 *       every value it governs, since which one the device meant cannot be told (a second {@code context}: the
 *       entry's glucose values);
 *   <li>a {@code context} that is not one of the names above (or not text): the entry's glucose values,
 *       {@link Rejection#UNKNOWN_CONTEXT}, since a glucose reading with a wrong context could decide control;
 *   <li>a {@code units} that is not an object: the entry's glucose values, {@link Rejection#UNKNOWN_UNIT}, since
 *       they might be in mg/dL.
 * </ul>
 *
 * <p>Only text that is not JSON ends parsing early: a syntax error (truncation, a missing comma, a bare word,
 * invalid UTF-8) or nesting deeper than {@value #MAX_NESTING} levels. The entries completed before it are
 * kept, the entry it falls in and everything after it are not, and the message counts once as
 * {@link Rejection#MALFORMED}. So is a message whose top level is neither an object nor an array, or that
 * carries a second top-level value (which is not read).
 *
 * <p>Parsing streams tokens with Jackson (no tree per message). Instances are immutable and thread-safe.
 *
 * <p>Why one class of close to 400 lines: it is the ingest hot path, one streaming state machine. The per-message
 * {@code Session} holds the state of the entry being read (which fields were seen, which were given twice, the
 * unit and context, the pending values) and every field reader updates it as its tokens go by; that is what lets
 * a bad field cost only the values it governs, with one pass over the bytes and the entry's buffers reused from
 * entry to entry. Split across classes, that state would have to be handed around or copied for every entry.
 */
public final class PayloadParser {

    /** Far deeper than any payload (three levels); it bounds the parser's memory for hostile input. */
    static final int MAX_NESTING = 1000;

    private static final JsonFactory JSON = JsonFactory.builder()
            // A long number costs linear time here (nothing is converted to BigInteger or BigDecimal), and the
            // message size bounds it; a limit would turn a silly number into the loss of the entries after it.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING).maxNumberLength(Integer.MAX_VALUE).build())
            // NaN and Infinity then cost their own value (not a number) instead of ending the message.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** The longest text of a long: a sign and 19 digits. */
    private static final int LONG_DIGITS = 20;
    /** A double at or beyond this magnitude has no long value. */
    private static final double LONG_RANGE = 0x1p63;

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
                // A truncated array makes nextToken throw, so this loop ends at the closing bracket.
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == JsonToken.START_OBJECT) {
                        s.entry(p);
                    } else {
                        p.skipChildren();
                        s.reject(Rejection.BAD_ENTRY, 1);
                    }
                }
            } else {
                s.reject(Rejection.MALFORMED, 1);
                return s.result();
            }
            if (p.nextToken() != null) {
                s.reject(Rejection.MALFORMED, 1);
            }
        } catch (IOException | RuntimeException e) {
            // Jackson reports text that is not JSON as an exception and cannot go on after it; what was
            // completed before it stands.
            s.reject(Rejection.MALFORMED, 1);
        }
        return s.result();
    }

    /** Per-message state: the output lists and the fields of the entry being read. */
    private final class Session {
        private final long deviceId;
        private final Attribution patients;
        private final long now;
        private final List<Reading> readings = new ArrayList<>();
        private final int[] rejected = new int[Rejection.values().length];

        // The entry being read: its values are held until the entry ends, because "ts" and "units" may
        // come after "values", and a field may come twice.
        private final List<Metric> metrics = new ArrayList<>();
        private final List<Double> numbers = new ArrayList<>();
        /** A bit per metric code: named in this entry; named more than once (or its unit was). */
        private int named;
        private int ambiguous;
        private boolean valuesSeen;
        private boolean glucoseInMgDl;
        private boolean glucoseUnitSeen;
        private boolean unitProblem;
        private MeasurementContext context;
        private boolean contextSeen;
        private boolean contextProblem;

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
            named = 0;
            ambiguous = 0;
            valuesSeen = false;
            glucoseInMgDl = false;
            glucoseUnitSeen = false;
            unitProblem = false;
            context = null;
            contextSeen = false;
            contextProblem = false;
            long ts = now;
            boolean tsSeen = false;
            boolean badTs = false;
            boolean tsAmbiguous = false;
            // Inside an object the next token is a field name or the end: anything else is a syntax error,
            // which Jackson throws.
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "ts" -> {
                        tsAmbiguous |= tsSeen;
                        tsSeen = true;
                        Long parsed = timestamp(p, value);
                        if (parsed == null) {
                            badTs = true;
                        } else {
                            ts = parsed;
                        }
                    }
                    case "values" -> values(p, value);
                    case "units" -> units(p, value);
                    case "context" -> context(p, value);
                    default -> p.skipChildren();
                }
            }
            if (!valuesSeen) {
                reject(Rejection.BAD_ENTRY, 1);
            }
            int count = metrics.size();
            Rejection time = tsAmbiguous ? Rejection.AMBIGUOUS : badTs ? Rejection.BAD_TIMESTAMP : window(ts);
            if (time != null) {
                reject(time, count);
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
                if ((ambiguous & bit(metric)) != 0) {
                    reject(Rejection.AMBIGUOUS, 1);
                    continue;
                }
                if (metric == Metric.GLUCOSE && unitProblem) {
                    reject(Rejection.UNKNOWN_UNIT, 1);
                    continue;
                }
                if (metric == Metric.GLUCOSE && contextProblem) {
                    reject(Rejection.UNKNOWN_CONTEXT, 1);
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
                readings.add(new Reading(deviceId, patientId, metric, ts, value,
                        metric == Metric.GLUCOSE ? context : null));
            }
        }

        /** Why a measurement time falls outside the acceptance window, or {@code null} when it does not. */
        private Rejection window(long ts) {
            if (ts < now - maxAge.toMillis()) {
                return Rejection.TOO_OLD;
            }
            return ts > now + maxSkew.toMillis() ? Rejection.IN_FUTURE : null;
        }

        private void values(JsonParser p, JsonToken start) throws IOException {
            valuesSeen = true;
            if (start != JsonToken.START_OBJECT) {
                p.skipChildren();
                reject(Rejection.BAD_ENTRY, 1);
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                Metric metric = Metric.byName(p.currentName());
                JsonToken value = p.nextToken();
                if (metric == null) {
                    p.skipChildren();
                    reject(Rejection.UNKNOWN_METRIC, 1);
                    continue;
                }
                int bit = bit(metric);
                ambiguous |= named & bit;
                named |= bit;
                double d = value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT
                        ? p.getDoubleValue() : Double.NaN;
                p.skipChildren();
                if (Double.isFinite(d)) {
                    metrics.add(metric);
                    numbers.add(d);
                } else {
                    reject(Rejection.NOT_A_NUMBER, 1);
                }
            }
        }

        private void units(JsonParser p, JsonToken start) throws IOException {
            if (start != JsonToken.START_OBJECT) {
                // Units of an unknown shape: glucose might be in mg/dL, so it is not taken as mmol/L.
                p.skipChildren();
                unitProblem = true;
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                String unit = value == JsonToken.VALUE_STRING ? p.getText() : null;
                p.skipChildren();
                if (!"glucose".equals(name)) {
                    continue;
                }
                if (glucoseUnitSeen) {
                    ambiguous |= bit(Metric.GLUCOSE);
                }
                glucoseUnitSeen = true;
                if ("mg/dL".equalsIgnoreCase(unit)) {
                    glucoseInMgDl = true;
                } else if (!"mmol/L".equalsIgnoreCase(unit)) {
                    unitProblem = true;
                }
            }
        }

        private void context(JsonParser p, JsonToken value) throws IOException {
            if (contextSeen) {
                ambiguous |= bit(Metric.GLUCOSE);
            }
            contextSeen = true;
            MeasurementContext named = value == JsonToken.VALUE_STRING ? MeasurementContext.NAMES.find(p.getText()) : null;
            p.skipChildren();
            if (named == null) {
                contextProblem = true;
            } else {
                context = named;
            }
        }

        /** Epoch milliseconds from a number or ISO-8601 text; {@code null} when it is neither or out of range. */
        private Long timestamp(JsonParser p, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                // Read from the text, not with getNumberType(): after that call on a number past the long range,
                // Jackson 2.18.2 hands the stale big number back for the next value read (jackson-core #1391).
                if (p.getTextLength() > LONG_DIGITS) {
                    return null;
                }
                try {
                    return Long.parseLong(p.getText());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            if (value == JsonToken.VALUE_NUMBER_FLOAT) {
                // Fractional milliseconds (a device computing time * 1000 in floating point) are dropped.
                double d = Math.floor(p.getDoubleValue());
                return Double.isFinite(d) && Math.abs(d) < LONG_RANGE ? (long) d : null;
            }
            if (value == JsonToken.VALUE_STRING) {
                try {
                    return Instant.parse(p.getText()).toEpochMilli();
                } catch (DateTimeParseException | ArithmeticException e) {
                    return null;
                }
            }
            p.skipChildren();
            return null;
        }

        private static int bit(Metric metric) {
            return 1 << metric.code();
        }
    }
}
