package org.vigil.simulator.population;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The simulated people and their devices: village doctors, each looking after up to
 * {@value #PATIENTS_PER_DOCTOR} patients; patients with a primary condition drawn from a
 * {@link ConditionMix}, hypertension as the usual comorbidity, and a wearable for a given share of them.
 * Each condition brings its device (a cuff, a glucometer, an oximeter, a scale).
 *
 * <p>Pure and deterministic: the same device count, mix, wearable share and seed always give the same
 * population. Patients are added until the population holds exactly the asked number of devices (the last
 * patient may get fewer devices than their conditions call for), so the number of MQTT connections is
 * exactly what was asked for.
 *
 * @param doctors   the doctors, in creation order
 * @param patients  the patients, in creation order; {@link Patient#doctor()} indexes {@code doctors}
 * @param devices   every device, in fleet order; {@link Device#patient()} indexes {@code patients}
 */
public record Population(List<Doctor> doctors, List<Patient> patients, List<Device> devices) {

    /** A village doctor typically covers a few dozen chronic patients. */
    public static final int PATIENTS_PER_DOCTOR = 50;
    /**
     * Share of patients whose primary condition is not hypertension who have hypertension as well (and a
     * cuff): the default of {@code --comorbidity}.
     */
    public static final double HYPERTENSION_COMORBIDITY = 0.4;

    private static final String SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗";
    private static final String GIVEN = "建国华明秀英兰芳军伟强丽敏静玉珍桂红德福春海平云文志秋金永生";
    private static final String[] VILLAGES = {"石桥", "柳树", "东湾", "杨家", "河口", "桃园", "新庄", "北岭", "南塘", "高坪"};

    /**
     * @param name         display name
     * @param institution  the clinic the doctor works at
     */
    public record Doctor(String name, String institution) {
    }

    /**
     * @param name        display name
     * @param doctor      index of the patient's doctor in {@link Population#doctors()}
     * @param conditions  primary condition first
     * @param devices     indexes of the patient's devices in {@link Population#devices()}
     * @param seed        seeds this patient's physiology (see {@link Physiology})
     */
    public record Patient(String name, int doctor, List<Condition> conditions, List<Integer> devices, long seed) {
        public Patient {
            conditions = List.copyOf(conditions);
            devices = List.copyOf(devices);
        }
    }

    /**
     * @param type     what it measures
     * @param patient  index of its patient in {@link Population#patients()}
     */
    public record Device(DeviceType type, int patient) {
    }

    public Population {
        doctors = List.copyOf(doctors);
        patients = List.copyOf(patients);
        devices = List.copyOf(devices);
    }

    /** As {@link #plan(int, ConditionMix, double, long)} with the default mix and no wearables. */
    public static Population plan(int devices, long seed) {
        return plan(devices, ConditionMix.DEFAULT, 0, seed);
    }

    /** As {@link #plan(int, ConditionMix, double, double, long)} with the usual hypertension comorbidity. */
    public static Population plan(int devices, ConditionMix mix, double wearableShare, long seed) {
        return plan(devices, mix, wearableShare, HYPERTENSION_COMORBIDITY, seed);
    }

    /**
     * Plans patients and doctors until there are exactly {@code devices} devices.
     *
     * @param wearableShare  share of patients who also wear a wearable (1 Hz heart rate, SpO2, respiration)
     * @param comorbidity    share of patients with another primary condition who also have hypertension
     */
    public static Population plan(int devices, ConditionMix mix, double wearableShare, double comorbidity, long seed) {
        if (devices < 1) {
            throw new IllegalArgumentException("devices must be at least 1 (was " + devices + ")");
        }
        if (!(wearableShare >= 0 && wearableShare <= 1)) {
            throw new IllegalArgumentException("wearable share must be between 0 and 1 (was " + wearableShare + ")");
        }
        if (!(comorbidity >= 0 && comorbidity <= 1)) {
            throw new IllegalArgumentException("comorbidity must be between 0 and 1 (was " + comorbidity + ")");
        }
        Random random = new Random(seed);
        List<Patient> patients = new ArrayList<>();
        List<Device> fleet = new ArrayList<>(devices);
        while (fleet.size() < devices) {
            int index = patients.size();
            List<Condition> conditions = conditions(mix, comorbidity, random);
            List<DeviceType> wanted = new ArrayList<>();
            conditions.forEach(c -> wanted.add(c.device()));
            if (random.nextDouble() < wearableShare) {
                wanted.add(DeviceType.WEARABLE);
            }
            List<Integer> own = new ArrayList<>();
            for (DeviceType t : wanted) {
                if (fleet.size() < devices) {
                    own.add(fleet.size());
                    fleet.add(new Device(t, index));
                }
            }
            patients.add(new Patient(name(random), index / PATIENTS_PER_DOCTOR, conditions, own, random.nextLong()));
        }
        int doctorCount = (patients.size() + PATIENTS_PER_DOCTOR - 1) / PATIENTS_PER_DOCTOR;
        List<Doctor> doctors = new ArrayList<>(doctorCount);
        for (int d = 0; d < doctorCount; d++) {
            String village = VILLAGES[d % VILLAGES.length] + (d >= VILLAGES.length ? Integer.toString(d / VILLAGES.length + 1) : "");
            doctors.add(new Doctor(name(random), village + "村卫生室"));
        }
        return new Population(doctors, patients, fleet);
    }

    /** The patient who uses the device at that fleet index. */
    public Patient patientOf(int device) {
        return patients.get(devices.get(device).patient());
    }

    /**
     * The device type the population gives the device at that index; used when a devices file does not
     * record types, so that reusing it with the same seed reproduces the provisioned types.
     */
    public DeviceType deviceType(int index) {
        return devices.get(index).type();
    }

    private static List<Condition> conditions(ConditionMix mix, double comorbidity, Random random) {
        Condition primary = mix.draw(random);
        if (primary != Condition.HYPERTENSION && random.nextDouble() < comorbidity) {
            return List.of(primary, Condition.HYPERTENSION);
        }
        return List.of(primary);
    }

    private static String name(Random random) {
        StringBuilder name = new StringBuilder().append(SURNAMES.charAt(random.nextInt(SURNAMES.length())));
        int given = random.nextInt(3) == 0 ? 1 : 2;
        for (int i = 0; i < given; i++) {
            name.append(GIVEN.charAt(random.nextInt(GIVEN.length())));
        }
        return name.toString();
    }
}
