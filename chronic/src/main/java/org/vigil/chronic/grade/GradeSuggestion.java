package org.vigil.chronic.grade;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.chronic.followup.Classification;
import org.vigil.common.model.Condition;

/**
 * The management grade the data suggest, with its reasons; a doctor confirms or overrides it.
 *
 * @param grade    1 stable, 2 routine, 3 high risk
 * @param reasons  one line each, in the order the rules were applied; never empty
 */
public record GradeSuggestion(int grade, List<String> reasons) {

    public GradeSuggestion {
        reasons = List.copyOf(reasons);
    }

    /** A condition's current status and since when it holds. */
    public record Spell(Condition condition, ControlStatus status, Instant since) {
    }

    /**
     * @param spells           the current control status of each of the patient's conditions
     * @param criticalAlerts   critical alerts opened within the rules' alert window
     * @param lastFollowUp     the classification of the newest follow-up, or {@code null}
     */
    public static GradeSuggestion suggest(GradeRules rules, List<Spell> spells, int criticalAlerts,
            Classification lastFollowUp, Instant now) {
        List<String> high = new ArrayList<>();
        for (Spell s : spells) {
            Duration held = Duration.between(s.since(), now);
            if (s.status() == ControlStatus.UNCONTROLLED && held.compareTo(rules.uncontrolledFor()) >= 0) {
                high.add(s.condition().wireName() + " uncontrolled for " + held.toDays() + " days (at least "
                        + rules.uncontrolledFor().toDays() + ")");
            }
        }
        if (criticalAlerts >= rules.criticalAlerts()) {
            high.add(criticalAlerts + " critical alerts in " + rules.alertWindow().toDays() + " days (at least "
                    + rules.criticalAlerts() + ")");
        }
        if (lastFollowUp == Classification.COMPLICATION) {
            high.add("the last follow-up found a new or worse complication");
        }
        if (!high.isEmpty()) {
            return new GradeSuggestion(3, high);
        }
        boolean stable = !spells.isEmpty() && criticalAlerts == 0 && spells.stream().allMatch(s ->
                s.status() == ControlStatus.CONTROLLED && Duration.between(s.since(), now).compareTo(rules.stableFor()) >= 0);
        if (stable) {
            return new GradeSuggestion(1, List.of("every condition controlled for at least " + rules.stableFor().toDays()
                    + " days and no critical alert in " + rules.alertWindow().toDays() + " days"));
        }
        List<String> why = new ArrayList<>();
        for (Spell s : spells) {
            why.add(s.condition().wireName() + " " + s.status().wireName() + " since " + s.since());
        }
        if (why.isEmpty()) {
            why.add("no chronic condition with a control status");
        }
        return new GradeSuggestion(2, why);
    }
}
