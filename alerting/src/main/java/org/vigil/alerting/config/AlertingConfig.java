package org.vigil.alerting.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.vigil.alerting.rules.Band;
import org.vigil.alerting.rules.Comparison;
import org.vigil.alerting.rules.Threshold;
import org.vigil.alerting.rules.ThresholdRule;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * Alerting settings.
 *
 * @param rules             threshold rules, from {@code VIGIL_ALERT_RULES_FILE} or the built-in
 *                          {@code default-rules.json}
 * @param rulesSource       where the rules came from, for the start-up log
 * @param feedHeartbeat     how often an idle SSE feed sends a comment line so proxies keep it open
 *                          ({@code VIGIL_ALERT_FEED_HEARTBEAT})
 */
public record AlertingConfig(List<ThresholdRule> rules, String rulesSource, Duration feedHeartbeat) {

    public static final String RULES_FILE = "VIGIL_ALERT_RULES_FILE";
    public static final String FEED_HEARTBEAT = "VIGIL_ALERT_FEED_HEARTBEAT";
    private static final String DEFAULT_RULES = "/org/vigil/alerting/default-rules.json";

    public AlertingConfig {
        rules = List.copyOf(rules);
    }

    public static AlertingConfig from(Settings settings) {
        Optional<String> file = settings.optional(RULES_FILE);
        String text;
        String source;
        if (file.isPresent()) {
            try {
                text = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(RULES_FILE, "cannot read " + file.get() + " (" + e.getMessage() + ")");
            }
            source = file.get();
        } else {
            try (InputStream in = AlertingConfig.class.getResourceAsStream(DEFAULT_RULES)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException("built-in rules missing from the build", e);
            }
            source = "built-in defaults";
        }
        return new AlertingConfig(parseRules(text, file.isPresent() ? RULES_FILE : "default-rules.json"), source,
                settings.duration(FEED_HEARTBEAT, Duration.ofSeconds(15)));
    }

    /** Parses the rules document; every error names the key and the rule it is in. */
    public static List<ThresholdRule> parseRules(String json, String key) {
        JsonObject doc;
        try {
            doc = new JsonObject(json);
        } catch (DecodeException e) {
            throw new ConfigException(key, "not valid JSON: " + e.getMessage());
        }
        JsonArray array = doc.getJsonArray("rules");
        if (array == null) {
            throw new ConfigException(key, "needs a \"rules\" array");
        }
        List<ThresholdRule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String where = key + " rules[" + i + "]";
            JsonObject r = object(array.getValue(i), where);
            String id = text(r, "id", where);
            if (!ids.add(id)) {
                throw new ConfigException(where, "duplicate rule id " + id);
            }
            List<Band> bands = new ArrayList<>();
            JsonArray bandArray = array(r.getValue("bands"), where + ".bands");
            for (int b = 0; b < bandArray.size(); b++) {
                String bw = where + ".bands[" + b + "]";
                JsonObject band = object(bandArray.getValue(b), bw);
                Severity severity;
                try {
                    severity = Severity.fromWire(text(band, "severity", bw));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(bw + ".severity", "must be warning or critical");
                }
                List<Threshold> thresholds = new ArrayList<>();
                JsonArray anyOf = array(band.getValue("anyOf"), bw + ".anyOf");
                for (int t = 0; t < anyOf.size(); t++) {
                    String tw = bw + ".anyOf[" + t + "]";
                    JsonObject th = object(anyOf.getValue(t), tw);
                    Metric metric = Metric.byName(text(th, "metric", tw));
                    if (metric == null) {
                        throw new ConfigException(tw + ".metric", "unknown metric " + th.getValue("metric"));
                    }
                    Comparison op = Comparison.fromSymbol(text(th, "op", tw));
                    if (op == null) {
                        throw new ConfigException(tw + ".op", "must be one of <, <=, >, >=");
                    }
                    if (!(th.getValue("value") instanceof Number n)) {
                        throw new ConfigException(tw + ".value", "must be a number");
                    }
                    thresholds.add(new Threshold(metric, op, n.doubleValue()));
                }
                if (thresholds.isEmpty()) {
                    throw new ConfigException(bw + ".anyOf", "needs at least one threshold");
                }
                bands.add(new Band(severity, thresholds));
            }
            if (bands.isEmpty()) {
                throw new ConfigException(where + ".bands", "needs at least one band");
            }
            rules.add(new ThresholdRule(id, r.getString("title", id), r.getString("source", ""), bands));
        }
        return rules;
    }

    private static JsonObject object(Object value, String where) {
        if (value instanceof JsonObject o) {
            return o;
        }
        throw new ConfigException(where, "must be an object");
    }

    private static JsonArray array(Object value, String where) {
        if (value instanceof JsonArray a) {
            return a;
        }
        throw new ConfigException(where, "must be an array");
    }

    private static String text(JsonObject o, String field, String where) {
        if (o.getValue(field) instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new ConfigException(where + "." + field, "is required");
    }
}
