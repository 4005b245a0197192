package org.vigil.chronic.followup;

import java.time.LocalDate;
import java.util.Collection;
import java.util.Objects;

/**
 * When the next follow-up is due, by the classified-intervention rule that applies.
 *
 * @param rule               {@code routine}, {@code recheck} or {@code referral}
 * @param due                the date it is due
 * @param referralSuggested  whether the rule suggests referral
 * @param reason             one sentence for the doctor
 */
public record NextFollowUp(String rule, LocalDate due, boolean referralSuggested, String reason) {

    public static final String ROUTINE = "routine";
    public static final String RECHECK = "recheck";
    public static final String REFERRAL = "referral";
    /** A managed patient never followed up: due since her management began. */
    public static final String FIRST = "first";

    /**
     * @param previous  the classification of the patient's previous follow-up, or {@code null} for her first
     * @param actions   what was done ({@code referred} makes it a referral follow-up whatever the classification)
     */
    public static NextFollowUp after(FollowUpRules rules, LocalDate doneOn, Classification classification,
            Classification previous, Collection<String> actions) {
        Objects.requireNonNull(classification, "classification");
        if (classification == Classification.COMPLICATION) {
            return new NextFollowUp(REFERRAL, doneOn.plus(rules.referralCheck()), true,
                    "new or worse complication: referral suggested, follow up the referral");
        }
        if (classification == Classification.UNCONTROLLED && previous == Classification.UNCONTROLLED) {
            return new NextFollowUp(REFERRAL, doneOn.plus(rules.referralCheck()), true,
                    "uncontrolled twice in a row: referral suggested, follow up the referral");
        }
        if (actions.contains("referred")) {
            return new NextFollowUp(REFERRAL, doneOn.plus(rules.referralCheck()), false, "referred: follow up the referral");
        }
        if (classification == Classification.UNCONTROLLED) {
            return new NextFollowUp(RECHECK, doneOn.plus(rules.recheck()), false,
                    "first time uncontrolled: adjust treatment and follow up");
        }
        if (classification == Classification.ADVERSE_REACTION) {
            return new NextFollowUp(RECHECK, doneOn.plus(rules.recheck()), false,
                    "adverse drug reaction: adjust treatment and follow up");
        }
        return new NextFollowUp(ROUTINE, doneOn.plus(rules.routine()), false, "controlled: routine follow-up");
    }

    /** How urgent a missed follow-up of this rule is: lower first. */
    public static int urgency(String rule) {
        return switch (rule) {
            case REFERRAL -> 0;
            case RECHECK -> 1;
            case FIRST -> 2;
            default -> 3;
        };
    }
}
