package org.vigil.chronic.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Period;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.vigil.chronic.control.AgeBand;
import org.vigil.chronic.control.BpTarget;
import org.vigil.chronic.control.ControlRules;
import org.vigil.chronic.followup.FollowUpRules;
import org.vigil.chronic.followup.FollowUpType;
import org.vigil.chronic.grade.GradeRules;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.RulesDocument;
import org.vigil.common.config.Settings;

/**
 * Chronic-care settings: the rules document ({@code chronic-care.json}, or {@code VIGIL_CHRONIC_RULES_FILE}) and how
 * often control status is re-evaluated. Built by {@link #from(Settings)}, which validates each value at start (every
 * error names the key or the place in the document) and leaves none null.
 *
 * @param control       control targets and windows (the hypertension policy chosen by {@code VIGIL_CHRONIC_BP_POLICY}
 *                      or the document's {@code hypertension.policy})
 * @param followUps     classified-intervention intervals and what counts toward 规范管理
 * @param grade         when a higher or lower management grade is suggested
 * @param source        where the rules came from, for the start-up log
 * @param sweep         every managed patient's status is re-evaluated this often ({@code VIGIL_CHRONIC_SWEEP}, 1 h),
 *                      so a status whose readings aged out of the window becomes unknown without a new reading
 * @param refreshDelay  patients with new readings are re-evaluated together after this delay
 *                      ({@code VIGIL_CHRONIC_REFRESH_DELAY}, 10 s): one evaluation for a morning's burst of readings
 * @param refreshInterval  a patient is re-evaluated for new readings at most once in this interval
 *                      ({@code VIGIL_CHRONIC_REFRESH_INTERVAL}, 15 min): a wearer's minute readings do not each
 *                      cost a re-evaluation of a status judged over days; the sweep and a doctor's read still
 *                      evaluate her at once
 * @param nodeId        this node's name ({@code VIGIL_NODE_ID}, the host name): of the nodes sharing a database, the
 *                      first to claim a sweep's period sweeps it
 */
public record ChronicConfig(ControlRules control, FollowUpRules followUps, GradeRules grade, String source,
        Duration sweep, Duration refreshDelay, Duration refreshInterval, String nodeId) {

    public static final String RULES_FILE = "VIGIL_CHRONIC_RULES_FILE";
    public static final String BP_POLICY = "VIGIL_CHRONIC_BP_POLICY";
    public static final String SWEEP = "VIGIL_CHRONIC_SWEEP";
    public static final String REFRESH_DELAY = "VIGIL_CHRONIC_REFRESH_DELAY";
    public static final String REFRESH_INTERVAL = "VIGIL_CHRONIC_REFRESH_INTERVAL";
    private static final String DEFAULT_RULES = "/org/vigil/chronic/chronic-care.json";

    public static ChronicConfig from(Settings settings) {
        RulesDocument rules = RulesDocument.load(settings, RULES_FILE, "chronic-care.json", ChronicConfig::builtIn);
        String source = rules.source();
        String key = rules.key();
        JsonObject doc;
        try {
            doc = new JsonObject(rules.text());
        } catch (DecodeException e) {
            throw new ConfigException(key, "is not a JSON object (" + e.getMessage() + ")");
        }
        Duration sweep = settings.duration(SWEEP, Duration.ofHours(1), Duration.ofMillis(100));
        Duration refresh = settings.duration(REFRESH_DELAY, Duration.ofSeconds(10));
        if (refresh.isNegative()) {
            throw new ConfigException(REFRESH_DELAY, "must not be negative");
        }
        Duration interval = settings.duration(REFRESH_INTERVAL, Duration.ofMinutes(15));
        if (interval.isNegative()) {
            throw new ConfigException(REFRESH_INTERVAL, "must not be negative");
        }
        return new ChronicConfig(control(doc, key, settings.optional(BP_POLICY)), followUps(doc, key),
                grade(doc, key), source, sweep, refresh, interval, settings.nodeId());
    }

    /** The built-in rules document. */
    public static String builtIn() {
        return RulesDocument.resource(ChronicConfig.class, DEFAULT_RULES, "chronic-care rules");
    }

    /** The rules of the built-in document, for tests and tools. */
    public static ChronicConfig defaults() {
        return from(Settings.of(java.util.Map.of()));
    }

    private static ControlRules control(JsonObject doc, String key, Optional<String> policyOverride) {
        ZoneId zone;
        try {
            zone = ZoneId.of(text(doc, "timeZone", key));
        } catch (DateTimeException e) {
            throw new ConfigException(key, "timeZone: not a time zone");
        }
        JsonObject bp = object(doc, "hypertension", key);
        String where = key + " hypertension";
        JsonObject policies = object(bp, "policies", where);
        String policy = policyOverride.orElseGet(() -> text(bp, "policy", where));
        JsonObject chosen = policies.getJsonObject(policy);
        if (chosen == null) {
            throw new ConfigException(policyOverride.isPresent() ? BP_POLICY : key,
                    "unknown hypertension policy '" + policy + "'; policies are " + String.join(", ", policies.fieldNames()));
        }
        List<AgeBand> bands = new ArrayList<>();
        Object list = chosen.getValue("bands");
        if (!(list instanceof JsonArray array) || array.isEmpty()) {
            throw new ConfigException(key, "hypertension.policies." + policy + ".bands: must be a non-empty array");
        }
        for (int i = 0; i < array.size(); i++) {
            String at = key + " hypertension.policies." + policy + ".bands[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject band)) {
                throw new ConfigException(at, "must be an object");
            }
            try {
                bands.add(new AgeBand(integer(band, "minAge", at, 0, 150), target(band, "home", at),
                        target(band, "office", at)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at, e.getMessage());
            }
        }
        JsonObject dm = object(doc, "diabetes", key);
        JsonObject copd = object(doc, "copd", key);
        JsonObject hf = object(doc, "heartFailure", key);
        try {
            return new ControlRules(policy, bands, duration(bp, "window", where), integer(bp, "minReadings", where, 1, 1000),
                    integer(bp, "minDays", where, 1, 31), duration(bp, "officeValidFor", where),
                    number(dm, "fastingTarget", key + " diabetes", 1, 30), duration(dm, "window", key + " diabetes"),
                    integer(dm, "minReadings", key + " diabetes", 1, 1000), number(copd, "spo2Floor", key + " copd", 50, 100),
                    duration(copd, "window", key + " copd"), integer(copd, "minReadings", key + " copd", 1, 1000),
                    number(hf, "gainKg", key + " heartFailure", 0.1, 50), duration(hf, "gainPeriod", key + " heartFailure"),
                    duration(hf, "window", key + " heartFailure"), zone);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where, e.getMessage());
        }
    }

    private static FollowUpRules followUps(JsonObject doc, String key) {
        JsonObject f = object(doc, "followUp", key);
        String where = key + " followUp";
        Set<FollowUpType> types = EnumSet.noneOf(FollowUpType.class);
        Object list = f.getValue("standardTypes");
        if (!(list instanceof JsonArray array) || array.isEmpty()) {
            throw new ConfigException(where, "standardTypes: must be a non-empty array of " + FollowUpType.NAMES.allowed());
        }
        for (Object o : array) {
            FollowUpType t = o instanceof String s ? FollowUpType.NAMES.find(s) : null;
            if (t == null) {
                throw new ConfigException(where, "standardTypes: " + o + " is not one of " + FollowUpType.NAMES.allowed());
            }
            types.add(t);
        }
        return new FollowUpRules(period(f, "routine", where), period(f, "recheck", where),
                period(f, "referralCheck", where), integer(f, "perYear", where, 1, 52), types);
    }

    private static GradeRules grade(JsonObject doc, String key) {
        JsonObject g = object(doc, "grade", key);
        String where = key + " grade";
        return new GradeRules(duration(g, "uncontrolledFor", where), integer(g, "criticalAlerts", where, 1, 1000),
                duration(g, "alertWindow", where), duration(g, "stableFor", where));
    }

    private static BpTarget target(JsonObject o, String field, String where) {
        Object v = o.getValue(field);
        if (!(v instanceof JsonArray pair) || pair.size() != 2 || !(pair.getValue(0) instanceof Number s)
                || !(pair.getValue(1) instanceof Number d)) {
            throw new ConfigException(where, field + ": must be [systolic, diastolic]");
        }
        return new BpTarget(s.doubleValue(), d.doubleValue());
    }

    private static JsonObject object(JsonObject o, String field, String where) {
        if (!(o.getValue(field) instanceof JsonObject child)) {
            throw new ConfigException(where, field + ": must be an object");
        }
        return child;
    }

    private static String text(JsonObject o, String field, String where) {
        if (!(o.getValue(field) instanceof String s) || s.isBlank()) {
            throw new ConfigException(where, field + ": must be text");
        }
        return s;
    }

    private static int integer(JsonObject o, String field, String where, int min, int max) {
        if (!(o.getValue(field) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                || n.intValue() < min || n.intValue() > max) {
            throw new ConfigException(where, field + ": must be a whole number from " + min + " to " + max);
        }
        return n.intValue();
    }

    private static double number(JsonObject o, String field, String where, double min, double max) {
        if (!(o.getValue(field) instanceof Number n) || n.doubleValue() < min || n.doubleValue() > max) {
            throw new ConfigException(where, field + ": must be a number from " + min + " to " + max);
        }
        return n.doubleValue();
    }

    private static Duration duration(JsonObject o, String field, String where) {
        return positive(o, field, where, Duration::parse, d -> d.isNegative() || d.isZero(),
                "an ISO-8601 duration such as P7D or PT12H");
    }

    private static Period period(JsonObject o, String field, String where) {
        return positive(o, field, where, Period::parse, p -> p.isNegative() || p.isZero(),
                "an ISO-8601 period such as P14D or P3M");
    }

    /** A positive amount of time in ISO-8601 {@code form}, parsed by {@code parser}. */
    private static <T> T positive(JsonObject o, String field, String where, Function<String, T> parser,
            Predicate<T> notPositive, String form) {
        try {
            T amount = parser.apply(text(o, field, where));
            if (notPositive.test(amount)) {
                throw new ConfigException(where, field + ": must be positive");
            }
            return amount;
        } catch (DateTimeParseException e) {
            throw new ConfigException(where, field + ": must be " + form);
        }
    }
}
