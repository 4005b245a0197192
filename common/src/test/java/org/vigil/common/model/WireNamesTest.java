package org.vigil.common.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WireNamesTest {

    @Test
    void findsEachConstantByItsWireNameOnly() {
        assertThat(Condition.NAMES.find("heart_failure")).isEqualTo(Condition.HEART_FAILURE);
        assertThat(MeasurementContext.NAMES.find("before_meal")).isEqualTo(MeasurementContext.BEFORE_MEAL);
        assertThat(Condition.NAMES.find("HEART_FAILURE")).as("the Java name is not a wire name").isNull();
        assertThat(Condition.NAMES.find("heart failure")).isNull();
        assertThat(Condition.NAMES.find(null)).isNull();
    }

    @Test
    void listsTheAllowedNamesInDeclarationOrder() {
        assertThat(Condition.NAMES.allowed()).isEqualTo("hypertension, diabetes, copd, heart_failure");
        assertThat(MeasurementContext.NAMES.allowed()).isEqualTo("fasting, before_meal, after_meal, bedtime, random");
    }
}
