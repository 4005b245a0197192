package org.vigil.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EvaluationProgressTest {

    private final EvaluationProgress progress = new EvaluationProgress();

    @Test
    void aBatchWithoutSignalsIsRecordedAsSoonAsItIsEvaluated() {
        EvaluationProgress.Batch batch = progress.begin(1, 105, 1);
        assertThat(progress.takeMoved()).isEmpty();
        progress.partEvaluated(batch);
        assertThat(progress.takeMoved()).isEqualTo(Map.of(1L, 105L));
        assertThat(progress.takeMoved()).as("reported once").isEmpty();
    }

    @Test
    void aBatchIsRecordedOnlyOnceTheSignalsItQueuedAreWritten() {
        progress.signalsQueued(3);
        progress.signalsFinished(3);
        EvaluationProgress.Batch batch = progress.begin(1, 10, 1);
        progress.signalsQueued(2);
        progress.partEvaluated(batch);
        assertThat(progress.takeMoved()).isEmpty();
        progress.signalsFinished(1);
        assertThat(progress.takeMoved()).as("one of its two signals still unwritten").isEmpty();
        progress.signalsFinished(1);
        assertThat(progress.takeMoved()).isEqualTo(Map.of(1L, 10L));
    }

    @Test
    void theCursorWaitsForAnEarlierBatchWhosePatientIsStillLoading() {
        EvaluationProgress.Batch first = progress.begin(7, 100, 2);
        progress.partEvaluated(first);
        EvaluationProgress.Batch second = progress.begin(7, 200, 1);
        progress.partEvaluated(second);
        assertThat(progress.takeMoved()).as("the first batch's loading patient is not evaluated yet").isEmpty();
        assertThat(progress.outstanding()).isEqualTo(2);

        progress.signalsQueued(1);
        progress.partEvaluated(first);
        progress.signalsFinished(1);
        assertThat(progress.takeMoved()).isEqualTo(Map.of(7L, 200L));
        assertThat(progress.outstanding()).isZero();
    }

    @Test
    void streamsMoveIndependently() {
        EvaluationProgress.Batch a = progress.begin(1, 10, 2);
        EvaluationProgress.Batch b = progress.begin(2, 20, 1);
        progress.partEvaluated(a);
        progress.partEvaluated(b);
        assertThat(progress.takeMoved()).isEqualTo(Map.of(2L, 20L));
        progress.partEvaluated(a);
        assertThat(progress.takeMoved()).isEqualTo(Map.of(1L, 10L));
    }

    @Test
    void aPartMayNotEndTwice() {
        EvaluationProgress.Batch batch = progress.begin(1, 1, 1);
        progress.partEvaluated(batch);
        assertThatThrownBy(() -> progress.partEvaluated(batch)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> progress.begin(1, 2, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLoadEndingNowIsRecordedWhenEverythingQueuedBeforeIsWritten() {
        progress.signalsQueued(4);
        long mark = progress.queued();
        assertThat(progress.finishedUpTo(mark)).isFalse();
        progress.signalsFinished(4);
        assertThat(progress.finishedUpTo(mark)).isTrue();
    }

    /** Verifies that an untracked batch tells its waiter once recorded, and moves no stream's cursor. */
    @Test
    void anUntrackedBatchTellsItsWaiterOnceRecorded() {
        java.util.List<String> told = new java.util.ArrayList<>();
        EvaluationProgress.Batch batch = progress.beginUntracked(2);
        progress.whenRecorded(batch, () -> told.add("recorded"));
        progress.partEvaluated(batch);
        progress.signalsQueued(1);
        progress.partEvaluated(batch);
        assertThat(told).as("its signal is not written yet").isEmpty();
        progress.signalsFinished(1);
        assertThat(told).containsExactly("recorded");
        assertThat(progress.takeMoved()).isEmpty();
        progress.whenRecorded(batch, () -> told.add("again"));
        assertThat(told).as("a recorded batch tells at once").containsExactly("recorded", "again");
    }
}
