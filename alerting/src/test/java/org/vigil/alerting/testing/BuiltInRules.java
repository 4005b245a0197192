package org.vigil.alerting.testing;

import org.vigil.alerting.clinical.ClinicalRules;
import org.vigil.alerting.config.ClinicalRulesConfig;

/** The built-in clinical rule set ({@code clinical-rules.json}), parsed once for every test that runs by it. */
public final class BuiltInRules {

    public static final ClinicalRules RULES = ClinicalRulesConfig.parse(ClinicalRulesConfig.builtIn(), "clinical-rules.json");

    private BuiltInRules() {
    }
}
