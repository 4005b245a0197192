package org.vigil.chronic.followup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.chronic.config.ChronicConfig;

@Timeout(10)
class NextFollowUpTest {

    private static final LocalDate DONE = LocalDate.of(2026, 12, 1);
    private final FollowUpRules rules = ChronicConfig.defaults().followUps();

    private NextFollowUp next(Classification now, Classification previous, String... actions) {
        return NextFollowUp.after(rules, DONE, now, previous, List.of(actions));
    }

    @Test
    void controlledIsRoutineAQuarterLater() {
        assertThat(next(Classification.CONTROLLED, null))
                .isEqualTo(new NextFollowUp("routine", LocalDate.of(2027, 3, 1), false, "controlled: routine follow-up"));
    }

    @Test
    void firstUncontrolledOrAnAdverseReactionIsRecheckedWithinTwoWeeks() {
        assertThat(next(Classification.UNCONTROLLED, Classification.CONTROLLED).rule()).isEqualTo("recheck");
        assertThat(next(Classification.UNCONTROLLED, null).due()).isEqualTo(LocalDate.of(2026, 12, 15));
        assertThat(next(Classification.ADVERSE_REACTION, Classification.UNCONTROLLED).rule()).isEqualTo("recheck");
    }

    @Test
    void uncontrolledTwiceInARowOrAComplicationSuggestsReferral() {
        NextFollowUp twice = next(Classification.UNCONTROLLED, Classification.UNCONTROLLED);
        assertThat(twice.rule()).isEqualTo("referral");
        assertThat(twice.referralSuggested()).isTrue();
        assertThat(twice.due()).isEqualTo(LocalDate.of(2026, 12, 15));
        assertThat(next(Classification.COMPLICATION, null).referralSuggested()).isTrue();
        assertThat(next(Classification.CONTROLLED, null, "referred").rule()).isEqualTo("referral");
    }

    @Test
    void theOverdueListPutsReferralsFirstThenTheLongestOverdue() {
        LocalDate today = LocalDate.of(2026, 12, 5);
        Overdue routineOld = new Overdue(1, "a", 9, "routine", LocalDate.of(2026, 10, 1), null, 65);
        Overdue recheck = new Overdue(2, "b", 9, "recheck", LocalDate.of(2026, 12, 1), null, 4);
        Overdue referral = new Overdue(3, "c", 9, "referral", LocalDate.of(2026, 12, 4), null, 1);
        Overdue recheckOld = new Overdue(4, "d", 9, "recheck", LocalDate.of(2026, 11, 20), null, 15);

        assertThat(Overdue.sorted(List.of(routineOld, recheck, referral, recheckOld)))
                .extracting(Overdue::patientId).containsExactly(3L, 4L, 2L, 1L);
        assertThat(Overdue.missed(LocalDate.of(2026, 12, 5), today)).as("due today is not missed yet").isFalse();
        assertThat(Overdue.daysOverdue(LocalDate.of(2026, 12, 1), today)).isEqualTo(4);
    }
}
