package org.vigil.alerting.evaluation;

import java.util.Optional;
import java.util.function.BiConsumer;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.store.PatientSnapshot;

/**
 * What the {@link PatientLoader} reads of a patient: off the event loop, answering on it exactly once per call,
 * with a value or a failure.
 */
interface PatientReads {

    /**
     * Her profile, history and alerts as of now; a transient failure is retried before answering. With
     * {@code useSaved}, her saved engine state where there is one, and only the history it does not hold.
     */
    void history(long patientId, boolean useSaved, BiConsumer<Optional<PatientSnapshot>, Throwable> done);

    /** Her current profile. */
    void profile(long patientId, BiConsumer<Optional<PatientProfile>, Throwable> done);
}
