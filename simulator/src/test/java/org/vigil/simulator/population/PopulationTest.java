package org.vigil.simulator.population;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PopulationTest {

    @Test
    void isDeterministicForASeed() {
        assertThat(Population.plan(500, ConditionMix.DEFAULT, 0.3, 42)).isEqualTo(Population.plan(500, ConditionMix.DEFAULT, 0.3, 42));
        assertThat(Population.plan(500, ConditionMix.DEFAULT, 0.3, 42)).isNotEqualTo(Population.plan(500, ConditionMix.DEFAULT, 0.3, 43));
    }

    @Test
    void holdsExactlyTheAskedNumberOfDevicesEachWithItsPatient() {
        for (int n : new int[] {1, 7, 101, 2000}) {
            Population p = Population.plan(n, ConditionMix.DEFAULT, 0.5, n);
            assertThat(p.devices()).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(p.patientOf(i).devices()).contains(i);
            }
            assertThat(p.patients()).allSatisfy(patient -> assertThat(patient.doctor()).isBetween(0, p.doctors().size() - 1));
        }
    }

    @Test
    void givesEachDoctorAtMostFiftyPatients() {
        Population p = Population.plan(3000, ConditionMix.DEFAULT, 0, 1);
        Map<Integer, Long> perDoctor = p.patients().stream().collect(Collectors.groupingBy(Population.Patient::doctor, Collectors.counting()));
        assertThat(perDoctor.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(Population.PATIENTS_PER_DOCTOR));
        assertThat(p.doctors()).allSatisfy(d -> assertThat(d.institution()).endsWith("村卫生室"));
    }

    @Test
    void followsTheConditionMixAndTheWearableShare() {
        Population p = Population.plan(20_000, ConditionMix.parse("hypertension=50,diabetes=30,copd=10,heart_failure=10"), 0.25, 7);
        Map<Condition, Long> primaries = p.patients().stream()
                .collect(Collectors.groupingBy(patient -> patient.conditions().get(0), Collectors.counting()));
        double total = p.patients().size();
        assertThat(primaries.get(Condition.HYPERTENSION) / total).isBetween(0.47, 0.53);
        assertThat(primaries.get(Condition.DIABETES) / total).isBetween(0.27, 0.33);
        assertThat(primaries.get(Condition.COPD) / total).isBetween(0.08, 0.12);
        long wearers = p.patients().stream().filter(patient -> patient.devices().stream()
                .anyMatch(d -> p.devices().get(d).type() == DeviceType.WEARABLE)).count();
        assertThat(wearers / total).isBetween(0.22, 0.28);
        assertThat(p.patients()).allSatisfy(patient -> assertThat(p.devices().get(patient.devices().get(0)).type())
                .isEqualTo(patient.conditions().get(0).device()));
    }

    @Test
    void withoutComorbidityAOneConditionMixGivesOneDeviceType() {
        Population glucometers = Population.plan(1000, ConditionMix.parse("diabetes=1"), 0, 0, 3);
        assertThat(glucometers.devices()).allSatisfy(d -> assertThat(d.type()).isEqualTo(DeviceType.GLUCOMETER));
        assertThat(glucometers.patients()).hasSize(1000);

        Population usual = Population.plan(1000, ConditionMix.parse("diabetes=1"), 0, 3);
        long cuffs = usual.devices().stream().filter(d -> d.type() == DeviceType.BP_MONITOR).count();
        assertThat(cuffs / (double) usual.patients().size()).as("the usual comorbidity").isBetween(0.33, 0.47);
    }

    @Test
    void aMixNamesItsConditionsOrFailsClearly() {
        assertThat(ConditionMix.parse("copd=1").draw(new java.util.Random(1))).isEqualTo(Condition.COPD);
        assertThatThrownBy(() -> ConditionMix.parse("asthma=3")).hasMessageContaining("asthma");
        assertThatThrownBy(() -> ConditionMix.parse("copd=x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> ConditionMix.parse("copd=0")).hasMessageContaining("above 0");
    }
}
