package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.alerting.clinical.Episode.State;
import org.vigil.common.model.Metric;

/**
 * Adherence for one patient: for each measurement the care plan expects, an alert opens when nothing was
 * measured for {@code interval + grace} (checked on {@link ClinicalEngine#onTick}), and clears as soon as a
 * reading arrives that makes the data current again (late uploads included). The detail tells whether the
 * device that should send it has been silent (no connection at all since the next measurement was due: a
 * device or connectivity problem) or was connected while the patient did not measure (an adherence problem);
 * when that changes, an {@code UPDATE} says so.
 *
 * <p>Missing data has no hysteresis: a reading either arrived or it did not.
 */
final class MissingData {

    private static final long NONE = Long.MIN_VALUE;
    private static final double HOUR = 3_600_000.0;

    private final RuleSpec.MissingData spec;
    private final long patientId;
    private Item[] items = new Item[0];
    private long monitoredSince;
    private long nextCheck;
    private int open;

    private static final class Item {
        final ExpectedMeasurement expected;
        final Metric metric;
        final String ruleId;
        State state = State.CLOSED;
        boolean silent;
        long deadline;

        Item(ExpectedMeasurement expected, String ruleId) {
            this.expected = expected;
            this.metric = expected.metric();
            this.ruleId = ruleId;
        }
    }

    MissingData(RuleSpec.MissingData spec, long patientId) {
        this.spec = spec;
        this.patientId = patientId;
    }

    /** Follows a new profile; expectations that disappear close (with a CLEAR if their alert was open). */
    void bind(PatientProfile profile, List<AlertSignal> out) {
        monitoredSince = profile.monitoredSince().toEpochMilli();
        boolean applies = spec.appliesTo().isEmpty() || spec.appliesTo().stream().anyMatch(profile::has);
        List<ExpectedMeasurement> expected = applies ? profile.expected() : List.of();
        List<Item> next = new ArrayList<>();
        for (ExpectedMeasurement e : expected) {
            Item item = new Item(e, spec.ruleId(e.metric()));
            Item old = find(e.metric());
            if (old != null) {
                item.state = old.state;
                item.silent = old.silent;
                item.deadline = old.deadline;
            }
            next.add(item);
        }
        for (Item old : items) {
            if (old.state == State.OPEN && next.stream().noneMatch(i -> i.metric == old.metric) && out != null) {
                out.add(signal(old, Kind.CLEAR, old.metric, 0, old.deadline, false,
                        "no longer expected by the care plan"));
            }
        }
        items = next.toArray(Item[]::new);
        recount();
        nextCheck = NONE;
    }

    /** A reading of the metric arrived; {@code newest} is the patient's newest measurement time of it. */
    void onReading(Metric metric, double value, long measuredAt, long newest, long now, boolean late,
                   List<AlertSignal> out) {
        Item item = find(metric);
        if (item == null || item.state == State.CLOSED) {
            return;
        }
        if (now >= deadline(item, newest)) {
            return;
        }
        boolean wasOpen = item.state == State.OPEN;
        item.state = State.CLOSED;
        open -= wasOpen ? 1 : 0;
        // Closed again, so it is due a check when this reading's deadline passes.
        nextCheck = Math.min(nextCheck, deadline(item, newest));
        if (wasOpen && out != null) {
            out.add(signal(item, Kind.CLEAR, metric, value, measuredAt, late,
                    label(metric) + " received again, measured " + Format.instant(measuredAt)));
        }
    }

    /** Opens, updates or clears adherence alerts at {@code now}. */
    void tick(long now, long[] newestAt, Devices devices, List<AlertSignal> out) {
        if (now < nextCheck && open == 0) {
            return;
        }
        long next = Long.MAX_VALUE;
        for (Item item : items) {
            long base = base(newestAt[item.metric.ordinal()]);
            long deadline = base + item.expected.overdueAfterMillis();
            if (now < deadline) {
                if (item.state == State.OPEN) {
                    item.state = State.CLOSED;
                    open--;
                    out.add(signal(item, Kind.CLEAR, item.metric, 0, now, false, label(item.metric) + " no longer overdue"));
                } else if (item.state == State.DORMANT) {
                    item.state = State.CLOSED;
                }
                next = Math.min(next, deadline);
                continue;
            }
            boolean silent = silent(item, base, devices);
            if (item.state == State.CLOSED) {
                item.state = State.OPEN;
                open++;
                item.silent = silent;
                item.deadline = deadline;
                out.add(signal(item, Kind.OPEN, item.metric, hours(now, base), deadline, false,
                        describe(item, now, base, devices)));
            } else if (item.state == State.OPEN && silent != item.silent) {
                item.silent = silent;
                out.add(signal(item, Kind.UPDATE, item.metric, hours(now, base), item.deadline, false,
                        describe(item, now, base, devices)));
            }
        }
        nextCheck = next;
    }

    /** A doctor resolved one of these alerts: quiet until data arrives. */
    boolean resolved(String ruleId) {
        for (Item item : items) {
            if (item.ruleId.equals(ruleId) && item.state == State.OPEN) {
                item.state = State.DORMANT;
                open--;
                return true;
            }
        }
        return false;
    }

    /** After a restart: adopts what the store knows, clears what the history shows has ended. */
    void reconcile(Map<String, KnownAlert> known, long now, long[] newestAt, Devices devices, List<AlertSignal> out) {
        for (Item item : items) {
            KnownAlert alert = known.get(item.ruleId);
            if (alert == null) {
                continue;
            }
            long base = base(newestAt[item.metric.ordinal()]);
            long deadline = base + item.expected.overdueAfterMillis();
            boolean overdue = now >= deadline;
            if (alert.active() && overdue) {
                item.state = State.OPEN;
                item.silent = silent(item, base, devices);
                item.deadline = deadline;
            } else if (alert.active()) {
                out.add(signal(item, Kind.CLEAR, item.metric, 0, Math.max(base, alert.lastMeasuredAt()), true,
                        label(item.metric) + " arrived before the restart"));
            } else if (overdue && alert.lastMeasuredAt() >= deadline) {
                item.state = State.DORMANT;
            }
        }
        recount();
        nextCheck = NONE;
    }

    /** Writes each expected metric's state; the expectations themselves come from the profile. */
    void save(DataOutput out) throws IOException {
        out.writeInt(items.length);
        for (Item item : items) {
            out.writeInt(item.metric.code());
            out.writeByte(item.state.ordinal());
            out.writeBoolean(item.silent);
            out.writeLong(item.deadline);
        }
    }

    /**
     * Reads what {@link #save} wrote into the items bound to the current profile: an expectation the profile no
     * longer has is skipped, a new one starts closed, as {@link #bind} treats a changed care plan.
     */
    void restore(DataInput in) throws IOException {
        int n = in.readInt();
        for (int k = 0; k < n; k++) {
            Item item = find(Metric.byCode(in.readInt()));
            State state = State.values()[in.readByte()];
            boolean silent = in.readBoolean();
            long deadline = in.readLong();
            if (item != null) {
                item.state = state;
                item.silent = silent;
                item.deadline = deadline;
            }
        }
        recount();
        nextCheck = NONE;
    }

    /**
     * Whether the device that should send the metric has been out of contact since the next measurement was due.
     * Contact before that (the session that delivered the last measurement) says nothing about today.
     */
    private static boolean silent(Item item, long base, Devices devices) {
        return !devices.contactSince(item.metric, base + item.expected.interval().toMillis());
    }

    /**
     * Where the count towards missing starts: the newest measurement, or the start of monitoring when there is
     * none. A measurement older than the start of monitoring still counts: a patient enrolled today whose cuff
     * last uploaded three days ago has not measured for three days.
     */
    private long base(long newest) {
        return newest == NONE ? monitoredSince : newest;
    }

    private long deadline(Item item, long newest) {
        return base(newest) + item.expected.overdueAfterMillis();
    }

    private Item find(Metric metric) {
        for (Item item : items) {
            if (item.metric == metric) {
                return item;
            }
        }
        return null;
    }

    private void recount() {
        open = 0;
        for (Item item : items) {
            open += item.state == State.OPEN ? 1 : 0;
        }
    }

    private static double hours(long now, long base) {
        return Math.round((now - base) / HOUR * 10) / 10.0;
    }

    private String describe(Item item, long now, long base, Devices devices) {
        String head = "no " + label(item.metric) + " for " + Format.span(now - base) + " (expected every "
                + Format.span(item.expected.interval().toMillis()) + "); ";
        if (!item.silent) {
            return head + "device connected, but nothing measured";
        }
        long contact = devices.lastContact(item.metric);
        return head + "device silent: " + (contact == NONE ? "never connected" : "no connection since "
                + Format.instant(contact));
    }

    private static String label(Metric metric) {
        return metric == Metric.SYSTOLIC_BP || metric == Metric.DIASTOLIC_BP ? "blood pressure" : Format.label(metric);
    }

    private AlertSignal signal(Item item, Kind kind, Metric metric, double value, long at, boolean late, String detail) {
        return new AlertSignal(patientId, item.ruleId, kind, spec.severity(), metric, value, value, at, late, detail, 1, 0);
    }
}
