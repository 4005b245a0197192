package org.vigil.chronic.followup;

import java.time.Period;
import java.util.Objects;
import java.util.Set;

/**
 * The classified-intervention rules of the national basic public health service standard (3rd edition), as
 * configuration: the intervals, and what counts as a standard follow-up for 规范管理.
 *
 * @param routine        controlled: next routine follow-up after this long (a quarter)
 * @param recheck        first time uncontrolled, or an adverse reaction: within this long (2 weeks)
 * @param referralCheck  uncontrolled twice in a row, or a new or worse complication: referral suggested, and the
 *                       referral followed up within this long (2 weeks)
 * @param perYear        follow-ups a year the standard asks for (4)
 * @param standardTypes  the types that count toward it (face to face by the standard; home visits are face to face)
 */
public record FollowUpRules(Period routine, Period recheck, Period referralCheck, int perYear,
        Set<FollowUpType> standardTypes) {

    public FollowUpRules {
        Objects.requireNonNull(routine, "routine");
        Objects.requireNonNull(recheck, "recheck");
        Objects.requireNonNull(referralCheck, "referralCheck");
        if (perYear < 1) {
            throw new IllegalArgumentException("perYear must be at least 1");
        }
        standardTypes = Set.copyOf(standardTypes);
    }
}
