package org.vigil.alerting.config;

import static org.vigil.alerting.config.RuleFields.array;
import static org.vigil.alerting.config.RuleFields.atLeastOne;
import static org.vigil.alerting.config.RuleFields.duration;
import static org.vigil.alerting.config.RuleFields.integer;
import static org.vigil.alerting.config.RuleFields.metric;
import static org.vigil.alerting.config.RuleFields.number;
import static org.vigil.alerting.config.RuleFields.object;
import static org.vigil.alerting.config.RuleFields.objects;
import static org.vigil.alerting.config.RuleFields.required;
import static org.vigil.alerting.config.RuleFields.severity;
import static org.vigil.alerting.config.RuleFields.text;

import org.vigil.common.model.Condition;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.vigil.alerting.clinical.Band;
import org.vigil.alerting.clinical.ClinicalRules;
import org.vigil.alerting.clinical.Comparison;
import org.vigil.alerting.clinical.LifecycleSettings;
import org.vigil.alerting.clinical.RuleSpec;
import org.vigil.alerting.clinical.Threshold;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.RulesDocument;
import org.vigil.common.config.Settings;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * The clinical rule set for {@link org.vigil.alerting.clinical.ClinicalEngine}, from
 * {@code VIGIL_CLINICAL_RULES_FILE} or the built-in {@code clinical-rules.json}. Parsed and validated once at
 * start; every error names the key and the place in the document ({@code rules[3].bands[0].anyOf[1].op}).
 *
 * @param rules   the parsed rule set
 * @param source  where it came from, for the start-up log
 */
public record ClinicalRulesConfig(ClinicalRules rules, String source) {

    public static final String RULES_FILE = "VIGIL_CLINICAL_RULES_FILE";
    private static final String DEFAULT_RULES = "/org/vigil/alerting/clinical-rules.json";
    /**
     * Calendar days with readings a mean rule needs unless it says otherwise: home blood pressure is judged over
     * at least 3 days (see the source of {@code bp_mean_high}).
     */
    private static final int DEFAULT_MIN_DAYS = 3;
    private static final Set<String> TYPES =
            Set.of("threshold", "sustained", "mean_above", "gain", "baseline_drop", "share_below", "news2", "missing_data");

    public static ClinicalRulesConfig from(Settings settings) {
        RulesDocument doc = RulesDocument.load(settings, RULES_FILE, "clinical-rules.json", ClinicalRulesConfig::builtIn);
        return new ClinicalRulesConfig(parse(doc.text(), doc.key()), doc.source());
    }

    /** The built-in rules document. */
    public static String builtIn() {
        return RulesDocument.resource(ClinicalRulesConfig.class, DEFAULT_RULES, "clinical rules");
    }

    /** Parses a rules document; {@code key} prefixes every error (the setting or file it came from). */
    public static ClinicalRules parse(String json, String key) {
        JsonObject doc;
        try {
            doc = new JsonObject(json);
        } catch (DecodeException e) {
            throw new ConfigException(key, "not valid JSON: " + e.getMessage());
        }
        LifecycleSettings defaults = doc.getValue("lifecycle") == null ? LifecycleSettings.DEFAULTS
                : lifecycle(object(doc.getValue("lifecycle"), key + " lifecycle"), LifecycleSettings.DEFAULTS,
                        key + " lifecycle");
        Duration streamGap = duration(doc, "streamGap", key + " streamGap", Duration.ofSeconds(15));
        Duration lateAfter = duration(doc, "lateAfter", key + " lateAfter", Duration.ofMinutes(10));
        Duration lateHorizon = duration(doc, "lateHorizon", key + " lateHorizon", Duration.ofDays(1));
        ZoneId zone = zone(doc, key + " timeZone");
        Set<String> ids = new HashSet<>();
        List<RuleSpec> rules = objects(doc.getValue("rules"), key + " rules", (r, where) -> {
            RuleSpec rule = rule(r, where, defaults);
            if (!ids.add(rule.id())) {
                throw new ConfigException(where + ".id", "duplicate rule id " + rule.id());
            }
            return rule;
        });
        try {
            return new ClinicalRules(streamGap, lateAfter, lateHorizon, zone, rules);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    private static RuleSpec rule(JsonObject r, String where, LifecycleSettings defaults) {
        String id = text(r, "id", where);
        String type = text(r, "type", where);
        if (!TYPES.contains(type)) {
            throw new ConfigException(where + ".type", "must be one of " + String.join(", ", TYPES.stream().sorted().toList()));
        }
        String title = r.getValue("title") instanceof String s ? s : id;
        String source = text(r, "source", where);
        Set<Condition> appliesTo = conditions(r.getValue("appliesTo"), where + ".appliesTo");
        LifecycleSettings lifecycle = r.getValue("lifecycle") == null ? defaults
                : lifecycle(object(r.getValue("lifecycle"), where + ".lifecycle"), defaults, where + ".lifecycle");
        try {
            return switch (type) {
                case "threshold" -> new RuleSpec.ThresholdBands(id, title, source, appliesTo, lifecycle,
                        input(r, where, RuleSpec.Input.SPOT), bands(r.getValue("bands"), where + ".bands"),
                        variants(r.getValue("byCondition"), where + ".byCondition"));
                case "sustained" -> new RuleSpec.Sustained(id, title, source, appliesTo, lifecycle,
                        input(r, where, RuleSpec.Input.ANY), bands(r.getValue("bands"), where + ".bands"),
                        variants(r.getValue("byCondition"), where + ".byCondition"),
                        required(r, "minDuration", where), integer(r, "minReadings", where, 1), required(r, "maxGap", where),
                        duration(r, "tolerance", where + ".tolerance", Duration.ZERO));
                case "mean_above" -> new RuleSpec.MeanAbove(id, title, source, appliesTo, lifecycle,
                        thresholds(r.getValue("limits"), where + ".limits"), required(r, "window", where),
                        integer(r, "minReadings", where, 1), integer(r, "minDays", where, DEFAULT_MIN_DAYS),
                        severity(r, where), required(r, "bucket", where), input(r, where, RuleSpec.Input.ANY));
                case "gain" -> new RuleSpec.Gain(id, title, source, appliesTo, lifecycle, metric(r, "metric", where),
                        number(r, "amount", where), required(r, "window", where), severity(r, where),
                        required(r, "bucket", where));
                case "baseline_drop" -> new RuleSpec.BaselineDrop(id, title, source, appliesTo, lifecycle,
                        metric(r, "metric", where), number(r, "drop", where), required(r, "recent", where),
                        required(r, "baseline", where), integer(r, "minRecent", where, 1),
                        integer(r, "minBaseline", where, 1), severity(r, where), required(r, "bucket", where));
                case "share_below" -> new RuleSpec.ShareBelow(id, title, source, appliesTo, lifecycle,
                        metric(r, "metric", where), number(r, "below", where), number(r, "share", where),
                        required(r, "window", where), integer(r, "minReadings", where, 1), severity(r, where),
                        required(r, "bucket", where));
                case "news2" -> new RuleSpec.News2(id, title, source, appliesTo, lifecycle, required(r, "maxAge", where),
                        integer(r, "minParameters", where, 2), integer(r, "warningTotal", where, 5),
                        integer(r, "criticalTotal", where, 7), conditions(r.getValue("scale2For"), where + ".scale2For"));
                default -> new RuleSpec.MissingData(id, title, source, appliesTo, severity(r, where));
            };
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where, e.getMessage());
        }
    }

    private static LifecycleSettings lifecycle(JsonObject o, LifecycleSettings base, String where) {
        try {
            return new LifecycleSettings(
                    integer(o, "clearReadings", where, base.clearReadings()),
                    duration(o, "clearAfter", where + ".clearAfter", base.clearAfter()),
                    duration(o, "updateEvery", where + ".updateEvery", base.updateEvery()),
                    duration(o, "flapWindow", where + ".flapWindow", base.flapWindow()),
                    integer(o, "flapClears", where, base.flapClears()),
                    autoClear(o, where, base.autoClear()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where, e.getMessage());
        }
    }

    /**
     * Which severities clear themselves: a list of severities, which must come with {@code autoClearReason}.
     * Deciding that an alert may vanish without a doctor is a clinical decision, so it is written down where
     * it is made, as every rule names its source.
     */
    private static Set<Severity> autoClear(JsonObject o, String where, Set<Severity> fallback) {
        Object value = o.getValue("autoClear");
        if (value == null) {
            return fallback;
        }
        JsonArray array = array(value, where + ".autoClear");
        Set<Severity> severities = EnumSet.noneOf(Severity.class);
        for (int i = 0; i < array.size(); i++) {
            String item = where + ".autoClear[" + i + "]";
            if (!(array.getValue(i) instanceof String name)) {
                throw new ConfigException(item, "must be warning or critical");
            }
            try {
                severities.add(Severity.fromWire(name));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(item, "must be warning or critical");
            }
        }
        text(o, "autoClearReason", where);
        return severities;
    }

    private static List<RuleSpec.ConditionBands> variants(Object value, String where) {
        if (value == null) {
            return List.of();
        }
        return objects(value, where, (v, vw) -> {
            Condition condition = condition(text(v, "condition", vw), vw + ".condition");
            return new RuleSpec.ConditionBands(condition, bands(v.getValue("bands"), vw + ".bands"),
                    text(v, "source", vw));
        });
    }

    /** Severity bands in the rules file's form; care plans use the same form for their overrides. */
    static List<Band> bands(Object value, String where) {
        return atLeastOne(value, where, "band",
                (band, bw) -> new Band(severity(band, bw), thresholds(band.getValue("anyOf"), bw + ".anyOf")));
    }

    private static List<Threshold> thresholds(Object value, String where) {
        return atLeastOne(value, where, "threshold", (th, tw) -> {
            Metric metric = metric(th, "metric", tw);
            Comparison op = Comparison.fromSymbol(text(th, "op", tw));
            if (op == null) {
                throw new ConfigException(tw + ".op", "must be one of <, <=, >, >=");
            }
            return new Threshold(metric, op, number(th, "value", tw));
        });
    }

    private static Set<Condition> conditions(Object value, String where) {
        if (value == null) {
            return Set.of();
        }
        JsonArray array = array(value, where);
        Set<Condition> conditions = EnumSet.noneOf(Condition.class);
        for (int i = 0; i < array.size(); i++) {
            conditions.add(condition(array.getValue(i) instanceof String s ? s : null, where + "[" + i + "]"));
        }
        return conditions;
    }

    private static Condition condition(String name, String where) {
        Condition c = name == null ? null : Condition.NAMES.find(name);
        if (c == null) {
            throw new ConfigException(where, "unknown condition " + name
                    + " (hypertension, diabetes, copd, heart_failure)");
        }
        return c;
    }

    /** The patients' zone, where calendar days begin ({@code "timeZone": "Asia/Shanghai"}, the default). */
    private static ZoneId zone(JsonObject doc, String name) {
        Object value = doc.getValue("timeZone");
        if (value == null) {
            return ClinicalRules.DEFAULT_ZONE;
        }
        if (value instanceof String s) {
            try {
                return ZoneId.of(s);
            } catch (DateTimeException e) {
                throw new ConfigException(name, "unknown time zone " + s + " (a region such as Asia/Shanghai)");
            }
        }
        throw new ConfigException(name, "must be a time zone such as Asia/Shanghai");
    }

    private static RuleSpec.Input input(JsonObject r, String where, RuleSpec.Input fallback) {
        Object value = r.getValue("input");
        if (value == null) {
            return fallback;
        }
        if ("spot".equals(value)) {
            return RuleSpec.Input.SPOT;
        }
        if ("any".equals(value)) {
            return RuleSpec.Input.ANY;
        }
        throw new ConfigException(where + ".input", "must be spot or any");
    }
}
