package org.vigil.common.bus;

/**
 * Event-bus addresses through which the roles talk. Each names who sends and what the body is, so a
 * role can run in its own process on the clustered event bus without knowing where the others are.
 */
public final class Addresses {

    /**
     * Ingest sends a {@link ReadingBatch} here once its readings are committed to storage. Point to
     * point: exactly one alerting consumer evaluates each batch.
     */
    public static final String READINGS_STORED = "vigil.readings.stored";

    /**
     * Ingest publishes the same {@link ReadingBatch} here after it is sent to {@link #READINGS_STORED}, for roles that
     * follow new readings without evaluating alerts (chronic care re-evaluates control status). Publish: every
     * consumer gets it, and it never takes a batch from alerting's point-to-point address. Fire-and-forget: a
     * follower must catch up on its own after a loss (chronic care sweeps).
     */
    public static final String READINGS_COMMITTED = "vigil.readings.committed";

    /**
     * Alerting publishes a JSON alert ({@code {"change": "opened" | "escalated" | "acknowledged", "alert": {...}}})
     * here whenever a doctor should hear of it; every node relays it to the live feeds it serves.
     */
    public static final String ALERT_CHANGED = "vigil.alerts.changed";

    /**
     * The alerts API publishes {@code {"patientId", "rule"}} here when a doctor resolved an alert, on whichever node
     * served her, so that the engine owning the patient stays quiet while the condition persists.
     */
    public static final String ALERT_RESOLVED = "vigil.alerts.resolved";

    /**
     * The registry publishes here when a registry entity changes, so every node drops its cached copy at once
     * instead of waiting for a TTL: {@code {"kind": "device", "serial", "deviceId", "change"}} (registered,
     * secret_rotated, revoked, rebound, unbound) or {@code {"kind": "patient", "patientId", "change"}} (created,
     * changed, contract, care_plan) or {@code {"kind": "doctor", "doctorId", "change", "tokenId"?}} (token_revoked
     * with the token's id, deactivated, reactivated).
     */
    public static final String REGISTRY_CHANGED = "vigil.registry.changed";

    /**
     * Ingest publishes {@code {"deviceId", "patientId", "connected", "at"}} here when a device connects or
     * disconnects; alerting uses it to tell a silent device from a patient who did not measure. In cluster mode it is
     * relayed to every node, so the engine owning the patient's partition hears it wherever the device connected.
     */
    public static final String DEVICE_CONNECTION = "vigil.devices.connection";

    /**
     * Ingest publishes {@code {"deviceId", "node", "sessionId", "connectedAt"}} here whenever it accepts a device's
     * connection ({@code connectedAt} in epoch milliseconds, {@code sessionId} unique to that connection). A node
     * holding an older session of the device elsewhere closes it (MQTT 5: DISCONNECT 0x8E, session taken over), so a
     * device has one session in the cluster; a node ignores its own announcements, having settled them locally.
     */
    public static final String DEVICE_SESSION = "vigil.devices.session";

    /**
     * Cluster mode. Alerting sends each stored {@link ReadingBatch} here instead of evaluating it itself; the cluster
     * role sends one record per patient to the readings topic (keyed by patient, so one partition owner evaluates
     * her) and replies, with no body, once the brokers acknowledged every record ({@code acks=all}), or fails. Only
     * then is the batch's evaluation taken care of, and its stream's evaluation cursor may pass it.
     */
    public static final String READINGS_HANDOFF = "vigil.readings.handoff";

    /**
     * Cluster mode. The cluster role sends a poll's records from the readings topic here, as {@link PolledRecords}
     * (each record one patient's readings, a {@link ReadingBatch} whose {@code lastPosition} is the position of her
     * last reading in it); alerting replies, with no body, once every record's readings are evaluated and their alert
     * changes recorded (or given up on, counted and logged, as for a batch from ingest). Only then may the poll's
     * offsets be committed.
     */
    public static final String EVALUATE_READINGS = "vigil.evaluation.readings";

    /**
     * Cluster mode. The cluster role sends {@code {"partitions": n, "assigned": [..], "revoked": [..]}} here when its
     * evaluator is given or loses partitions of the readings topic ({@code n} partitions in all); alerting drops the
     * state of the revoked partitions' patients, rebuilds from storage the assigned partitions' patients whose care
     * plans expect measurements, and replies {@code {"rebuilt": count}} once they are rebuilt. A patient's partition
     * is {@link org.vigil.common.cluster.PatientPartitions#of}.
     */
    public static final String EVALUATION_PARTITIONS = "vigil.evaluation.partitions";

    private Addresses() {
    }
}
