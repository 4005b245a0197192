package org.vigil.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PopulationTest {

    @Test
    void isDeterministicForASeed() {
        assertThat(Population.plan(120, 42)).isEqualTo(Population.plan(120, 42));
        assertThat(Population.plan(120, 42)).isNotEqualTo(Population.plan(120, 43));
    }

    @Test
    void givesEachDoctorAtMostFiftyPatients() {
        Population p = Population.plan(101, 1);
        assertThat(p.doctors()).hasSize(3);
        assertThat(p.patients()).hasSize(101);
        assertThat(p.patients().get(49).doctor()).isZero();
        assertThat(p.patients().get(50).doctor()).isEqualTo(1);
        assertThat(p.patients().get(100).doctor()).isEqualTo(2);
        assertThat(p.doctors()).allSatisfy(d -> assertThat(d.institution()).endsWith("村卫生室"));
    }

    @Test
    void issuesTheDeviceForThePrimaryConditionWithARealisticMix() {
        Population p = Population.plan(2000, 7);
        assertThat(p.patients()).allSatisfy(patient -> {
            assertThat(patient.device()).isEqualTo(patient.conditions().get(0).device());
            assertThat(patient.name()).hasSizeBetween(2, 3);
        });
        Map<Condition, Long> primaries = p.patients().stream()
                .collect(Collectors.groupingBy(patient -> patient.conditions().get(0), Collectors.counting()));
        assertThat(primaries).containsOnlyKeys(Condition.values());
        assertThat(primaries.get(Condition.HYPERTENSION)).isGreaterThan(primaries.get(Condition.DIABETES));
        assertThat(primaries.get(Condition.DIABETES)).isGreaterThan(primaries.get(Condition.COPD));
        Map<DeviceType, Long> types = p.patients().stream()
                .collect(Collectors.groupingBy(Population.Patient::device, Collectors.counting()));
        assertThat(types).containsOnlyKeys(DeviceType.BP_MONITOR, DeviceType.GLUCOMETER, DeviceType.PULSE_OXIMETER, DeviceType.SCALE);
    }
}
