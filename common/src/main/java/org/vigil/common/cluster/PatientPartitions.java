package org.vigil.common.cluster;

import java.nio.charset.StandardCharsets;

/**
 * The partition of the readings topic a patient's records land on, computed the way Kafka's default partitioner
 * does for a keyed record ({@code toPositive(murmur2(key)) % partitions}, the key being the patient's id in
 * decimal, UTF-8), so alerting can tell which patients an assigned partition holds without loading Kafka's classes.
 * The cluster module's tests check it against Kafka's own partitioner.
 */
public final class PatientPartitions {

    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private PatientPartitions() {
    }

    /** The partition, in {@code [0, partitions)}, of the patient's records. */
    public static int of(long patientId, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        return (murmur2(Long.toString(patientId).getBytes(StandardCharsets.UTF_8)) & 0x7fffffff) % partitions;
    }

    /** MurmurHash2, 32 bits, as {@code org.apache.kafka.common.utils.Utils.murmur2} computes it. */
    static int murmur2(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++) {
            int i4 = i * 4;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
                    + ((data[i4 + 3] & 0xff) << 24);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = length4 * 4;
        switch (length % 4) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= M;
            // fall through
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }
}
