package org.vigil.alerting.clinical;

import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.vigil.common.model.Metric;

/**
 * The whole clinical rule set with the settings every rule shares. Immutable; built by
 * {@code org.vigil.alerting.config.ClinicalRulesConfig} from {@code clinical-rules.json} or by tests.
 *
 * @param streamGap    readings of one device and metric closer together than this form a stream (a wearable);
 *                     farther apart, each is a spot measurement (see {@link RuleSpec.Input}); a device that
 *                     sent 10 readings in a row this close is a streamer of the metric from then on, so
 *                     the first sample of its next session is not mistaken for a spot measurement
 * @param lateAfter    a reading received more than this after it was measured is late, and so are the signals
 *                     it raises
 * @param lateHorizon  how far behind the newest reading of its metric a reading may be and still be evaluated
 *                     by window rules (it always enters the windows); windows keep this much history beyond
 *                     their length, so memory stays bounded
 * @param zone         where the patients live: rules that count calendar days (a home blood-pressure mean
 *                     needs readings on several days) start a day at midnight here, never in the JVM's zone
 * @param rules        the rules, in evaluation order (signals of one moment come out in this order)
 */
public record ClinicalRules(Duration streamGap, Duration lateAfter, Duration lateHorizon, ZoneId zone,
                            List<RuleSpec> rules) {

    /** The patients' zone unless the rules say otherwise: Vigil serves primary care in China. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");

    public ClinicalRules {
        Objects.requireNonNull(streamGap, "streamGap");
        Objects.requireNonNull(lateAfter, "lateAfter");
        Objects.requireNonNull(lateHorizon, "lateHorizon");
        Objects.requireNonNull(zone, "zone");
        if (streamGap.isNegative() || lateAfter.isNegative() || lateHorizon.isNegative()) {
            throw new IllegalArgumentException("streamGap, lateAfter and lateHorizon must not be negative");
        }
        rules = List.copyOf(rules);
        Set<String> ids = new HashSet<>();
        long missing = 0;
        for (RuleSpec rule : rules) {
            if (!ids.add(rule.id())) {
                throw new IllegalArgumentException("duplicate rule id " + rule.id());
            }
            if (rule instanceof RuleSpec.MissingData) {
                missing++;
            }
        }
        if (missing > 1) {
            throw new IllegalArgumentException("at most one missing_data rule");
        }
    }

    /**
     * The unit, in UCUM, of the figure an alert of the rule with that id about {@code metric} carries ({@link
     * AlertSignal#value()}): the metric's own for a reading, a mean, a gain or a drop; hours for missing data; a
     * score for NEWS2; per cent for the share of readings below range. The figure of a rule not (or no longer) in the
     * set is taken to be a reading.
     */
    public String valueUnit(String ruleId, Metric metric) {
        return switch (rule(ruleId)) {
            case RuleSpec.News2 news2 -> "{score}";
            case RuleSpec.ShareBelow share -> "%";
            // A missing-data rule's alerts are named per metric, not by the rule's own id.
            case null -> rules.stream().anyMatch(r -> r instanceof RuleSpec.MissingData missing
                    && missing.ruleId(metric).equals(ruleId)) ? "h" : metric.ucum();
            default -> metric.ucum();
        };
    }

    /** The rule with that id, or {@code null}. */
    public RuleSpec rule(String id) {
        for (RuleSpec rule : rules) {
            if (rule.id().equals(id)) {
                return rule;
            }
        }
        return null;
    }
}
