package org.vigil.simulator.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * One scenario being played: who it is about, what it expects, and when its uploads went out. Uploads are
 * recorded from the device's lane thread and read by the judge at the end, hence the synchronisation.
 */
public final class ScenarioRun {

    private final ScenarioKind kind;
    private final Expectations.Expectation expectation;
    private final String device;
    private final long patientId;
    private final long doctorId;
    private final List<Long> uploads = new ArrayList<>();
    private long silencedAt = -1;
    private String notRun;

    /**
     * @param device     serial of the device it drives (null if no patient fits)
     * @param patientId  the patient's registry id
     * @param doctorId   the registry id of the doctor who should be told
     */
    public ScenarioRun(ScenarioKind kind, Expectations.Expectation expectation, String device, long patientId, long doctorId) {
        this.kind = kind;
        this.expectation = expectation;
        this.device = device;
        this.patientId = patientId;
        this.doctorId = doctorId;
    }

    public ScenarioKind kind() {
        return kind;
    }

    public Expectations.Expectation expectation() {
        return expectation;
    }

    public String device() {
        return device;
    }

    public long patientId() {
        return patientId;
    }

    public long doctorId() {
        return doctorId;
    }

    /** An upload went out at {@code nanos} ({@link System#nanoTime()}), or could not ({@code -1}). */
    public synchronized void uploaded(long nanos) {
        if (nanos < 0) {
            notRun = "an upload could not be sent (device not connected)";
            return;
        }
        uploads.add(nanos);
    }

    /** The device went silent at {@code nanos}. */
    public synchronized void silenced(long nanos) {
        silencedAt = nanos;
    }

    /** The scenario cannot be played at all. */
    public synchronized void notRun(String reason) {
        notRun = reason;
    }

    synchronized String notRunReason() {
        return notRun;
    }

    synchronized boolean started() {
        return !uploads.isEmpty();
    }

    /**
     * What made the alert fire: the silence for the silence scenarios, otherwise the latest upload sent
     * before the alert arrived. -1 if none.
     */
    synchronized long causeBefore(long alertNanos) {
        if (silencedAt >= 0 && silencedAt <= alertNanos) {
            return silencedAt;
        }
        long cause = -1;
        for (long u : uploads) {
            if (u <= alertNanos) {
                cause = Math.max(cause, u);
            }
        }
        return cause;
    }
}
