package org.vigil.chronic.grade;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.chronic.followup.Classification;
import org.vigil.common.model.Condition;

@Timeout(10)
class GradeSuggestionTest {

    private static final Instant NOW = Instant.parse("2026-12-05T02:00:00Z");
    private final GradeRules rules = ChronicConfig.defaults().grade();

    private static GradeSuggestion.Spell spell(Condition c, ControlStatus s, int days) {
        return new GradeSuggestion.Spell(c, s, NOW.minus(Duration.ofDays(days)));
    }

    @Test
    void sustainedLackOfControlRaisesTheGrade() {
        GradeSuggestion s = GradeSuggestion.suggest(rules, List.of(spell(Condition.HYPERTENSION, ControlStatus.UNCONTROLLED, 28),
                spell(Condition.DIABETES, ControlStatus.CONTROLLED, 200)), 0, null, NOW);
        assertThat(s.grade()).isEqualTo(3);
        assertThat(s.reasons()).containsExactly("hypertension uncontrolled for 28 days (at least 28)");
        assertThat(GradeSuggestion.suggest(rules, List.of(spell(Condition.HYPERTENSION, ControlStatus.UNCONTROLLED, 27)),
                0, null, NOW).grade()).isEqualTo(2);
    }

    @Test
    void repeatedCriticalAlertsOrAComplicationRaiseTheGrade() {
        GradeSuggestion alerts = GradeSuggestion.suggest(rules, List.of(spell(Condition.COPD, ControlStatus.CONTROLLED, 200)),
                2, Classification.COMPLICATION, NOW);
        assertThat(alerts.grade()).isEqualTo(3);
        assertThat(alerts.reasons()).hasSize(2);
    }

    @Test
    void monthsOfStableControlLowerTheGradeForEveryCondition() {
        assertThat(GradeSuggestion.suggest(rules, List.of(spell(Condition.HYPERTENSION, ControlStatus.CONTROLLED, 90),
                spell(Condition.DIABETES, ControlStatus.CONTROLLED, 120)), 0, Classification.CONTROLLED, NOW).grade())
                .isEqualTo(1);
        assertThat(GradeSuggestion.suggest(rules, List.of(spell(Condition.HYPERTENSION, ControlStatus.CONTROLLED, 90),
                spell(Condition.DIABETES, ControlStatus.UNKNOWN, 120)), 0, null, NOW).grade())
                .as("one condition unknown").isEqualTo(2);
        assertThat(GradeSuggestion.suggest(rules, List.of(spell(Condition.HYPERTENSION, ControlStatus.CONTROLLED, 90)),
                1, null, NOW).grade()).as("a critical alert in the window").isEqualTo(2);
        assertThat(GradeSuggestion.suggest(rules, List.of(), 0, null, NOW).reasons()).isNotEmpty();
    }
}
