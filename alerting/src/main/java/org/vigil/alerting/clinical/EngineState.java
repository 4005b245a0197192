package org.vigil.alerting.clinical;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * One patient's engine state as bytes, so that a node taking her over reads it instead of replaying weeks of
 * readings (a wearer's 16 days are 46,000 readings). What is saved is exactly what the engine keeps: per rule the
 * detector's state and the episode, the newest time per metric, the devices and missing data. The profile is not:
 * it is bound again from the registry, and a rule whose parameters for the patient changed since starts afresh,
 * as it does when a care plan changes under a running engine.
 *
 * <p>The bytes fit only the rules and code that wrote them: they start with a fingerprint of the format version
 * and the rules' configuration ({@link #fingerprint}), and each rule's part with a fingerprint of its binding for
 * the patient. A reader with another fingerprint does not use them.
 */
final class EngineState {

    /** Raise on any change to what is written, so that older bytes are refused rather than misread. */
    private static final int FORMAT = 1;
    /** Binding fingerprints kept: one per distinct binding (per condition, per care-plan override), so few. */
    private static final int MAX_KEYS = 10_000;

    private final Rule[] rules;
    private final long fingerprint;
    /** A binding's fingerprint, computed once: hashing its text for every rule of every save cost most of a save. */
    private final Map<Object, Long> keyFingerprints = new HashMap<>();

    EngineState(ClinicalRules config, Rule[] rules) {
        this.rules = rules;
        this.fingerprint = hash("vigil-engine-state/" + FORMAT + "/" + canonical(config));
    }

    /** The fingerprint of state written by this code under these rules. */
    long fingerprint() {
        return fingerprint;
    }

    byte[] save(PatientState ps) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeLong(fingerprint);
            out.writeInt(rules.length);
            for (int k = 0; k < rules.length; k++) {
                out.writeLong(keyFingerprint(ps.keys[k]));
                ByteArrayOutputStream detector = new ByteArrayOutputStream();
                if (ps.detectors[k] != null) {
                    ps.detectors[k].save(new DataOutputStream(detector));
                }
                out.writeInt(detector.size());
                detector.writeTo(out);
                Episode e = ps.episodes[k];
                out.writeBoolean(e != null);
                if (e != null) {
                    e.save(out);
                }
            }
            out.writeInt(ps.newestAt.length);
            for (long t : ps.newestAt) {
                out.writeLong(t);
            }
            ps.devices.save(out);
            out.writeBoolean(ps.missing != null);
            if (ps.missing != null) {
                ps.missing.save(out);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads saved state into {@code ps}, already bound to the patient's current profile: detectors bound as when
     * saved get their state back, the others keep the fresh state the binding gave them; episodes come back whatever
     * the binding (as a care plan change keeps them), but not for rules no longer bound. Returns the devices as
     * saved, for the caller to merge with what is known now.
     *
     * @throws IOException when the bytes do not fit (another format or rules, or damaged)
     */
    Devices restore(PatientState ps, byte[] state) throws IOException {
        DataInput in = new DataInputStream(new ByteArrayInputStream(state));
        long saved = in.readLong();
        if (saved != fingerprint) {
            throw new IOException("saved by other rules or another version (fingerprint " + Long.toHexString(saved)
                    + ", expected " + Long.toHexString(fingerprint) + ")");
        }
        if (in.readInt() != rules.length) {
            throw new IOException("saved with another number of rules");
        }
        for (int k = 0; k < rules.length; k++) {
            long key = in.readLong();
            byte[] detector = new byte[in.readInt()];
            in.readFully(detector);
            boolean sameBinding = ps.keys[k] != null && key == keyFingerprint(ps.keys[k]);
            if (sameBinding) {
                ps.detectors[k].restore(new DataInputStream(new ByteArrayInputStream(detector)));
            }
            if (in.readBoolean()) {
                Episode e = new Episode(rules[k].policy);
                e.restore(in);
                ps.episodes[k] = ps.detectors[k] != null ? e : null;
            }
        }
        int metrics = in.readInt();
        if (metrics != ps.newestAt.length) {
            throw new IOException("saved with " + metrics + " metrics");
        }
        for (int m = 0; m < metrics; m++) {
            ps.newestAt[m] = in.readLong();
        }
        Devices devices = Devices.restore(in);
        if (in.readBoolean() && ps.missing != null) {
            ps.missing.restore(in);
        }
        return devices;
    }

    private long keyFingerprint(Object key) {
        if (key == null) {
            return 0;
        }
        Long known = keyFingerprints.get(key);
        if (known == null) {
            if (keyFingerprints.size() >= MAX_KEYS) {
                keyFingerprints.clear();
            }
            known = hash(canonical(key));
            keyFingerprints.put(key, known);
        }
        return known;
    }

    /** A text that may be {@code null}. */
    static void writeText(DataOutput out, String text) throws IOException {
        out.writeBoolean(text != null);
        if (text != null) {
            out.writeUTF(text);
        }
    }

    static String readText(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    static void writeSeverity(DataOutput out, Severity s) throws IOException {
        out.writeUTF(s == null ? "" : s.wireName());
    }

    static Severity readSeverity(DataInput in) throws IOException {
        String s = in.readUTF();
        return s.isEmpty() ? null : Severity.fromWire(s);
    }

    static void writeMetric(DataOutput out, Metric m) throws IOException {
        out.writeInt(m == null ? 0 : m.code());
    }

    static Metric readMetric(DataInput in) throws IOException {
        int code = in.readInt();
        try {
            return code == 0 ? null : Metric.byCode(code);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * A text for a configuration value that is the same in every JVM: records by their components, sets sorted
     * ({@code Set.of} iterates in an order salted per JVM), everything else by {@code toString}.
     */
    static String canonical(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Record r) {
            StringBuilder sb = new StringBuilder(r.getClass().getSimpleName()).append('(');
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    sb.append(c.getName()).append('=').append(canonical(c.getAccessor().invoke(r))).append(',');
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return sb.append(')').toString();
        }
        if (value instanceof Map<?, ?> map) {
            List<String> entries = new ArrayList<>();
            map.forEach((k, v) -> entries.add(canonical(k) + "=" + canonical(v)));
            entries.sort(null);
            return entries.toString();
        }
        if (value instanceof Collection<?> items) {
            List<String> texts = new ArrayList<>();
            items.forEach(item -> texts.add(canonical(item)));
            if (!(value instanceof List)) {
                texts.sort(null);
            }
            return texts.toString();
        }
        return value.toString();
    }

    private static long hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (d[i] & 0xff);
            }
            return h == 0 ? 1 : h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
