package org.vigil.alerting.app;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.config.AlertingConfig;
import org.vigil.alerting.engine.AlertingVerticle;
import org.vigil.alerting.http.AlertsApi;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.rules.ThresholdEvaluator;
import org.vigil.alerting.store.AlertStore;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;

/** The {@code alerting} role: rule evaluation on stored readings, alerts and the doctors' live feeds. */
public final class AlertingRole implements Role {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingRole.class);

    private final RoleContext context;
    private final AlertingConfig config;
    private final AlertStore store;
    private final AlertingMetrics metrics;
    private String deploymentId;

    public AlertingRole(RoleContext context) {
        this.context = context;
        this.config = AlertingConfig.from(context.settings());
        this.store = new AlertStore(context.database().dataSource());
        this.metrics = new AlertingMetrics(context.meters());
    }

    @Override
    public String name() {
        return "alerting";
    }

    @Override
    public Future<Void> start() {
        ThresholdEvaluator evaluator = new ThresholdEvaluator(config.rules());
        return context.vertx()
                .deployVerticle(() -> new AlertingVerticle(evaluator, store, metrics, context.clock()),
                        new io.vertx.core.DeploymentOptions())
                .map(id -> {
                    deploymentId = id;
                    LOG.info("Alerting on {} threshold rules [{}]", config.rules().size(), config.rulesSource());
                    return null;
                });
    }

    @Override
    public void mount(Router api) {
        new AlertsApi(context.vertx(), store, metrics, context.clock(), config.feedHeartbeat()).mount(api);
    }

    @Override
    public Future<Void> stop() {
        return deploymentId == null ? Future.succeededFuture() : context.vertx().undeploy(deploymentId);
    }
}
