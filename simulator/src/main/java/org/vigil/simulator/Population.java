package org.vigil.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The simulated people: village doctors, each looking after up to {@value #PATIENTS_PER_DOCTOR}
 * patients, and one patient per device with a realistic mix of chronic conditions. Pure: the same
 * device count and seed always give the same population.
 *
 * @param doctors   the doctors, in creation order
 * @param patients  one per device, in device order; {@link Patient#doctor()} indexes {@code doctors}
 */
record Population(List<Doctor> doctors, List<Patient> patients) {

    /** A village doctor typically covers a few dozen chronic patients. */
    public static final int PATIENTS_PER_DOCTOR = 50;

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
     * @param device      the device issued for the primary condition
     */
    public record Patient(String name, int doctor, List<Condition> conditions, DeviceType device) {
    }

    public Population {
        doctors = List.copyOf(doctors);
        patients = List.copyOf(patients);
    }

    /** Plans {@code devices} patients and their doctors from {@code seed}. */
    public static Population plan(int devices, long seed) {
        Random random = new Random(seed);
        int doctorCount = (devices + PATIENTS_PER_DOCTOR - 1) / PATIENTS_PER_DOCTOR;
        List<Doctor> doctors = new ArrayList<>(doctorCount);
        for (int d = 0; d < doctorCount; d++) {
            String village = VILLAGES[d % VILLAGES.length] + (d >= VILLAGES.length ? Integer.toString(d / VILLAGES.length + 1) : "");
            doctors.add(new Doctor(name(random), village + "村卫生室"));
        }
        List<Patient> patients = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            List<Condition> conditions = conditions(random);
            patients.add(new Patient(name(random), i / PATIENTS_PER_DOCTOR, conditions, conditions.get(0).device()));
        }
        return new Population(doctors, patients);
    }

    /**
     * The device type the population gives the device at that index; used when a devices file does not
     * record types, so that reusing it with the same seed reproduces the provisioned types.
     */
    public DeviceType deviceType(int index) {
        return patients.get(index).device();
    }

    /**
     * Roughly the chronic-disease panel of a primary-care programme: hypertension dominates, diabetes
     * follows, COPD and heart failure are smaller groups, and hypertension is the usual comorbidity.
     */
    private static List<Condition> conditions(Random random) {
        double p = random.nextDouble();
        Condition primary = p < 0.45 ? Condition.HYPERTENSION
                : p < 0.75 ? Condition.DIABETES
                : p < 0.87 ? Condition.COPD
                : Condition.HEART_FAILURE;
        if (primary != Condition.HYPERTENSION && random.nextDouble() < 0.4) {
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
