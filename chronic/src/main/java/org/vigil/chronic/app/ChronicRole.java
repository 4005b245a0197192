package org.vigil.chronic.app;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.chronic.control.ControlEvaluator;
import org.vigil.chronic.http.CareApi;
import org.vigil.chronic.http.IndicatorsApi;
import org.vigil.chronic.store.Stores;
import org.vigil.chronic.store.IndicatorStore;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;
import org.vigil.common.audit.AuditLog;

/**
 * The {@code chronic} role: control status per patient and condition kept current, follow-ups with classified
 * intervention, graded management, and panel indicators for doctors, teams and organisations.
 */
public final class ChronicRole implements Role {

    private static final Logger LOG = LoggerFactory.getLogger(ChronicRole.class);

    private final RoleContext context;
    private final ChronicConfig config;
    private final Stores stores;
    private final StatusKeeper keeper;
    private String deployment;

    public ChronicRole(RoleContext context) {
        this.context = context;
        this.config = ChronicConfig.from(context.settings());
        this.stores = Stores.of(context.database().dataSource());
        this.keeper = new StatusKeeper(stores.care(), stores.status(), new ControlEvaluator(config.control()));
    }

    @Override
    public String name() {
        return "chronic";
    }

    @Override
    public Future<Void> start() {
        return context.vertx().deployVerticle(new StatusVerticle(keeper, stores.care(),
                stores.sweeps(), config.nodeId(),
                StatusMetrics.micrometer(context.meters()), context.clock(), config.sweep(), config.refreshDelay(),
                config.refreshInterval()))
                .map(id -> {
                    deployment = id;
                    LOG.info("Chronic care on [{}], hypertension policy {}, control status swept every {}",
                            config.source(), config.control().policy(), config.sweep());
                    return null;
                });
    }

    @Override
    public void mount(Router api) {
        AuditLog audit = new AuditLog(context.database().dataSource());
        new CareApi(context.vertx(), stores, keeper, config.followUps(), config.grade(), audit, context.clock()).mount(api);
        new IndicatorsApi(context.vertx(), new IndicatorStore(context.database().dataSource()), config, audit,
                context.clock()).mount(api);
    }

    @Override
    public Future<Void> stop() {
        return deployment == null ? Future.succeededFuture() : context.vertx().undeploy(deployment);
    }
}
