package org.vigil.alerting.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.config.AlertingConfig;
import org.vigil.alerting.engine.AlertingVerticle;
import org.vigil.alerting.escalation.EscalationVerticle;
import org.vigil.alerting.http.AlertsApi;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertStore;
import org.vigil.alerting.store.PatientHistoryStore;
import org.vigil.common.app.Role;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.app.RoleContext;

/** The {@code alerting} role: clinical rule evaluation on stored readings, alerts and the doctors' live feeds. */
public final class AlertingRole implements Role {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingRole.class);

    private final RoleContext context;
    private final AlertingConfig config;
    private final AlertStore store;
    private final PatientHistoryStore history;
    private final AlertingMetrics metrics;
    private String deploymentId;
    private String escalationDeployment;

    public AlertingRole(RoleContext context) {
        this.context = context;
        this.config = AlertingConfig.from(context.settings());
        this.store = new AlertStore(context.database().dataSource());
        this.history = new PatientHistoryStore(context.database().dataSource());
        this.metrics = new AlertingMetrics(context.meters());
    }

    @Override
    public String name() {
        return "alerting";
    }

    @Override
    public Future<Void> start() {
        // One engine, one verticle instance: the engine is confined to that verticle's event loop.
        ClinicalEngine engine = new ClinicalEngine(config.clinicalRules().rules());
        return context.vertx()
                .deployVerticle(new AlertingVerticle(engine, store, history, metrics, context.clock(),
                        config.tickInterval()), new DeploymentOptions())
                .compose(id -> {
                    deploymentId = id;
                    return context.vertx().deployVerticle(new EscalationVerticle(store, metrics, context.clock(),
                            config.escalateAfter(), config.escalationSweep()));
                })
                .map(id -> {
                    escalationDeployment = id;
                    LOG.info("Alerting on {} clinical rules [{}], history rebuilt over {}",
                            config.clinicalRules().rules().rules().size(), config.clinicalRules().source(),
                            engine.historyNeeded());
                    return null;
                });
    }

    @Override
    public void mount(Router api) {
        new AlertsApi(context.vertx(), store, new AuditLog(context.database().dataSource()), metrics, context.clock(), config.feedHeartbeat()).mount(api);
    }

    @Override
    public Future<Void> stop() {
        Future<Void> escalation = escalationDeployment == null ? Future.succeededFuture()
                : context.vertx().undeploy(escalationDeployment);
        return escalation.compose(v -> deploymentId == null ? Future.succeededFuture()
                : context.vertx().undeploy(deploymentId));
    }
}
