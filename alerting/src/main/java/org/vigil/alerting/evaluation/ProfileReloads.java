package org.vigil.alerting.evaluation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.PatientProfile;

/**
 * The {@link PatientLoader}'s reloads of profiles that changed in the registry: of two reloads of a patient in quick
 * succession only the newest lands, whichever read finishes last; a change during her first load is remembered
 * until it lands. Single-threaded, like the loader.
 */
final class ProfileReloads {

    private static final Logger LOG = LoggerFactory.getLogger(ProfileReloads.class);

    private final PatientReads reads;
    /** The newest reload asked for, per patient. */
    private final Map<Long, Long> newest = new HashMap<>();
    private long generation;
    /** Patients whose profile changed while their first load was under way. */
    private final Set<Long> staleWhileLoading = new HashSet<>();

    ProfileReloads(PatientReads reads) {
        this.reads = Objects.requireNonNull(reads, "reads");
    }

    /** Her profile changed while she loads: {@link #landed} says so once the load lands. */
    void changedWhileLoading(long patientId) {
        staleWhileLoading.add(patientId);
    }

    /** Her load landed: whether her profile changed meanwhile, and must be read again. */
    boolean landed(long patientId) {
        return staleWhileLoading.remove(patientId);
    }

    /** Reads her profile again and hands it to {@code found}, unless a newer reload was asked for meanwhile. */
    void reload(long patientId, Consumer<PatientProfile> found) {
        long g = ++generation;
        newest.put(patientId, g);
        reads.profile(patientId, (profile, failure) -> {
            if (!newest.remove(patientId, g)) {
                return;
            }
            if (failure != null) {
                LOG.warn("Profile of patient {} not reloaded: {}", patientId, failure.toString());
                return;
            }
            profile.ifPresent(found);
        });
    }
}
