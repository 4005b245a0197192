package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One rule bound to one patient: the rule's parameters for that patient and whatever state it keeps (a run, a
 * window). Detectors without state are shared by every patient with the same parameters.
 */
interface Detector {

    /** Takes in the moment (the engine calls this only when one of the rule's metrics is present). */
    void evaluate(Moment moment, Verdict out);

    /** The doctor-facing detail for the verdict just produced. */
    String describe(Verdict verdict);

    /** Writes the detector's state (its run, window or latest values); nothing for a detector without state. */
    default void save(DataOutput out) throws IOException {
    }

    /** Reads what {@link #save} wrote into a detector bound with the same parameters. */
    default void restore(DataInput in) throws IOException {
    }
}
