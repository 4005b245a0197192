package org.vigil.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PacedLoadsTest {

    private final List<Long> started = new ArrayList<>();
    private final Set<Long> known = new HashSet<>();
    private final PacedLoads loads = new PacedLoads(2, id -> !known.contains(id), started::add);

    @Test
    void noMoreThanTheLimitLoadAtOnceAndEachEndStartsTheNext() {
        loads.addAll(List.of(1L, 2L, 3L, 4L));
        assertThat(started).containsExactly(1L, 2L);
        loads.done(1);
        assertThat(started).containsExactly(1L, 2L, 3L);
        loads.done(3);
        loads.done(2);
        assertThat(started).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aPatientKnownByHerTurnIsSkippedAndALoadNotStartedHereFreesNoPlace() {
        loads.addAll(List.of(1L, 2L, 3L));
        known.add(3L);
        loads.done(99);
        assertThat(started).containsExactly(1L, 2L);
        loads.done(1);
        loads.add(4);
        assertThat(started).as("3 is known by now").containsExactly(1L, 2L, 4L);
    }
}
