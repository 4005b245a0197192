package org.vigil.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.audit.AuditLog;

@Timeout(10)
class RefusalTallyTest {

    private static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");
    private final RefusalTally tally = new RefusalTally();

    private static Refusal unknownToken(String remote) {
        return new Refusal(Refusal.Reason.UNKNOWN_TOKEN, Refusal.ANONYMOUS, "token", null, null, remote,
                "GET /api/v1/patients");
    }

    /** Verifies that a flood from one source is one audit event that says how many, from when to when. */
    @Test
    void aFloodFromOneSourceIsOneEventWithItsCount() {
        for (int i = 0; i < 100_000; i++) {
            tally.add(unknownToken("10.0.0.7"), T0.plusMillis(i));
        }
        List<AuditLog.Event> events = tally.drain();

        assertThat(events).hasSize(1);
        AuditLog.Event event = events.get(0);
        assertThat(event.action()).isEqualTo("access.refused");
        assertThat(event.actor()).isEqualTo("anonymous");
        assertThat(event.detail().getString("reason")).isEqualTo("unknown_token");
        assertThat(event.detail().getInteger("status")).isEqualTo(401);
        assertThat(event.detail().getLong("count")).isEqualTo(100_000);
        assertThat(event.detail().getString("firstAt")).isEqualTo(T0.toString());
        assertThat(event.detail().getString("lastAt")).isEqualTo(T0.plusMillis(99_999).toString());
        assertThat(event.detail().getString("remote")).isEqualTo("10.0.0.7");
        assertThat(event.detail().getJsonArray("requests")).containsExactly("GET /api/v1/patients");
        assertThat(tally.drain()).as("a drain starts the next window empty").isEmpty();
    }

    /** Verifies that however many distinct sources there are, one window gives at most MAX_EVENTS + 1 events. */
    @Test
    void distinctSourcesBeyondTheLimitAreSummedByReasonInOneOverflowEvent() {
        for (int i = 0; i < 5_000; i++) {
            tally.add(unknownToken("10.1." + i / 256 + "." + i % 256), T0);
        }
        tally.add(new Refusal(Refusal.Reason.OUT_OF_SCOPE, "doctor:4", "patient", 9L, 9L, "10.9.9.9",
                "GET /api/v1/patients/9"), T0);
        List<AuditLog.Event> events = tally.drain();

        assertThat(events).hasSize(RefusalTally.MAX_EVENTS + 1);
        AuditLog.Event overflow = events.get(events.size() - 1);
        assertThat(overflow.targetType()).isEqualTo("overflow");
        assertThat(overflow.detail().getLong("count")).isEqualTo(5_001 - RefusalTally.MAX_EVENTS);
        assertThat(overflow.detail().getJsonObject("byReason").getLong("unknown_token"))
                .isEqualTo(5_000 - RefusalTally.MAX_EVENTS);
        assertThat(overflow.detail().getJsonObject("byReason").getLong("out_of_scope")).isEqualTo(1);
        long total = events.stream().mapToLong(e -> e.detail().getLong("count")).sum();
        assertThat(total).as("every refusal is counted somewhere").isEqualTo(5_001);
    }

    /** Verifies that a probe of another doctor's patient is recorded against that patient and that doctor. */
    @Test
    void anOutOfScopeRefusalNamesTheDoctorAndThePatient() {
        tally.add(new Refusal(Refusal.Reason.OUT_OF_SCOPE, "doctor:4", "patient", 9L, 9L, "10.0.0.7",
                "GET /api/v1/patients/9"), T0);
        tally.add(new Refusal(Refusal.Reason.OUT_OF_SCOPE, "doctor:4", "patient", 9L, 9L, "10.0.0.7",
                "GET /api/v1/patients/9/vitals"), T0.plusSeconds(1));
        AuditLog.Event event = tally.drain().get(0);

        assertThat(event.actor()).isEqualTo("doctor:4");
        assertThat(event.patientId()).isEqualTo(9L);
        assertThat(event.targetId()).isEqualTo(9L);
        assertThat(event.detail().getInteger("status")).isEqualTo(404);
        assertThat(event.detail().getLong("count")).isEqualTo(2);
        assertThat(event.detail().getJsonArray("requests"))
                .containsExactly("GET /api/v1/patients/9", "GET /api/v1/patients/9/vitals");
    }

    /** Verifies that request text cannot break the audit insert: no control characters (NUL), bounded length. */
    @Test
    void requestTextIsBoundedAndFreeOfControlCharacters() {
        tally.add(new Refusal(Refusal.Reason.MISSING_TOKEN, Refusal.ANONYMOUS, "token", null, null, "10.0.0.7",
                "GET /api/v1/a\u0000b" + "x".repeat(1_000)), T0);
        String request = tally.drain().get(0).detail().getJsonArray("requests").getString(0);

        assertThat(request).doesNotContain("\u0000").startsWith("GET /api/v1/a?b").hasSizeLessThanOrEqualTo(200);
    }
}
