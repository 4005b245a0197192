package org.vigil.alerting.clinical;

import java.util.ArrayList;
import java.util.List;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * The {@link ClinicalEngine}'s evaluation loop: a patient's readings in measurement order, grouped into moments (one
 * device, one instant), each moment classified (spot, stream, duplicate, out of order, late) and put through the
 * patient's rules, whose verdicts move their episodes. Confined to the engine's thread, like the engine.
 */
final class MomentLoop {

    private static final Metric[] METRICS = Metric.values();

    private final Rule[] rules;
    private final long streamGap;
    private final long lateAfter;
    private final Moment moment = new Moment();
    private final Verdict verdict = new Verdict();
    private long flapsSuppressed;

    MomentLoop(Rule[] rules, long streamGap, long lateAfter) {
        this.rules = rules;
        this.streamGap = streamGap;
        this.lateAfter = lateAfter;
    }

    /** Clear-and-reopen cycles suppressed because episodes were flapping. */
    long flapsSuppressed() {
        return flapsSuppressed;
    }

    /**
     * Evaluates readings moment by moment. A replay ({@code replay}) is cut at {@code cutAt}, where the history
     * starts: readings measured before it (the newest of an expected metric, from before the lookback) only date
     * missing data and teach the devices, for the rules' windows end there and whatever they alerted was told
     * then; and a device's first reading of a metric within the stream gap after the cut may have had its
     * predecessor cut away, so it is not taken for a spot measurement (a wearable's stream cut mid-way would
     * otherwise hand its first sample to the spot rules, which the live engine never did). A cut of
     * {@link PatientState#NONE} evaluates everything (the readings after saved state). Signals go to {@code out}.
     */
    void process(PatientState ps, List<Reading> readings, long receivedAt, boolean replay, long cutAt,
                 List<AlertSignal> out) {
        List<Reading> ordered = inMeasurementOrder(readings);
        int n = ordered.size();
        int i = 0;
        while (i < n) {
            Reading first = ordered.get(i);
            long t = first.measuredAt();
            long device = first.deviceId();
            // A replayed reading was received when it was measured, as far as anyone can tell now.
            long received = replay ? t : receivedAt;
            moment.reset(t, received);
            int j = i;
            for (; j < n && ordered.get(j).measuredAt() == t && ordered.get(j).deviceId() == device; j++) {
                Reading r = ordered.get(j);
                int mi = r.metric().ordinal();
                boolean cutStream = replay && cutAt != PatientState.NONE && t - cutAt < streamGap
                        && !ps.devices.hasMeasured(device, r.metric());
                Devices.Kind kind = ps.devices.onReading(device, r.metric(), t, received, streamGap);
                if (cutStream && kind == Devices.Kind.SPOT) {
                    kind = Devices.Kind.STREAM;
                }
                if (kind == Devices.Kind.DUPLICATE || moment.has(r.metric())) {
                    continue;
                }
                boolean outOfOrder = ps.newestAt[mi] != PatientState.NONE && t < ps.newestAt[mi];
                if (!outOfOrder) {
                    ps.newestAt[mi] = t;
                }
                moment.put(r.metric(), r.value(), kind == Devices.Kind.SPOT, outOfOrder);
            }
            if (moment.present == 0) {
                i = j;
                continue;
            }
            moment.late = !replay && (received - t > lateAfter || moment.outOfOrder != 0);
            if (ps.missing != null) {
                for (Metric metric : METRICS) {
                    if (moment.has(metric)) {
                        ps.missing.onReading(metric, moment.value(metric), t, ps.newestAt[metric.ordinal()], received,
                                moment.late, replay ? null : out);
                    }
                }
            }
            if (!replay || t >= cutAt) {
                evaluate(ps, !replay, out);
            }
            i = j;
        }
    }

    private void evaluate(PatientState ps, boolean emit, List<AlertSignal> out) {
        for (int k = 0; k < rules.length; k++) {
            Detector d = ps.detectors[k];
            Rule rule = rules[k];
            if (d == null || (rule.metricMask & moment.present) == 0) {
                continue;
            }
            verdict.reset();
            d.evaluate(moment, verdict);
            Episode e = ps.episodes[k];
            Kind kind;
            if (verdict.outcome == Verdict.Outcome.FIRING) {
                if (e == null) {
                    e = new Episode(rule.policy);
                    ps.episodes[k] = e;
                }
                kind = e.onFiring(moment.time, verdict.severity, verdict.metric, verdict.value, verdict.higherIsWorse,
                        rule.policy);
            } else if (verdict.outcome == Verdict.Outcome.IN_RANGE && e != null) {
                kind = e.onInRange(moment.time, rule.policy);
            } else {
                continue;
            }
            String detail = null;
            if (e.headlineChanged) {
                // Described now, while the detector still holds this moment: a new worst may wait for the next
                // signal (updateEvery), or never fire again before the episode is back in range.
                detail = d.describe(verdict);
                e.headlineDetail = detail;
                e.headlineChanged = false;
            }
            if (kind == null || !emit) {
                continue;
            }
            if (kind == Kind.FLAP_SUPPRESSED) {
                flapsSuppressed++;
            }
            out.add(rule.signal(ps.patientId, e, kind, verdict.metric, verdict.value, moment.time, moment.late,
                    detail != null ? detail : d.describe(verdict)));
        }
    }

    static List<Reading> inMeasurementOrder(List<Reading> readings) {
        for (int i = 1; i < readings.size(); i++) {
            if (ClinicalEngine.MEASUREMENT_ORDER.compare(readings.get(i - 1), readings.get(i)) > 0) {
                List<Reading> sorted = new ArrayList<>(readings);
                sorted.sort(ClinicalEngine.MEASUREMENT_ORDER);
                return sorted;
            }
        }
        return readings;
    }
}
