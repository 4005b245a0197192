package org.vigil.alerting.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.ClinicalRules;
import org.vigil.alerting.clinical.RuleSpec;
import org.vigil.alerting.config.AlertingConfig;
import org.vigil.alerting.evaluation.AlertingVerticle;
import org.vigil.alerting.escalation.EscalationVerticle;
import org.vigil.alerting.http.AlertsApi;
import org.vigil.alerting.http.LiveFeeds;
import org.vigil.alerting.http.ThresholdsApi;
import org.vigil.alerting.http.WebhooksApi;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertActions;
import org.vigil.alerting.store.AlertQueries;
import org.vigil.alerting.store.AlertSignalStore;
import org.vigil.alerting.store.CarePlanReader;
import org.vigil.alerting.store.EngineStateStore;
import org.vigil.alerting.store.EscalationStore;
import org.vigil.alerting.store.EvaluationLog;
import org.vigil.alerting.store.FeedAccess;
import org.vigil.alerting.store.PatientHistoryStore;
import org.vigil.alerting.store.WebhookStore;
import org.vigil.alerting.webhook.WebhookDispatcher;
import org.vigil.common.app.Role;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.app.RoleContext;
import org.vigil.common.model.Metric;

/**
 * The {@code alerting} role: clinical rule evaluation on stored readings, alerts, the doctors' live feeds, and
 * webhook delivery of alert events to organisations.
 */
public final class AlertingRole implements Role {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingRole.class);

    /** What this node's alerting does with the readings its ingest stores. */
    public enum Mode {
        /** Evaluates them itself: a single node. */
        LOCAL,
        /** Hands them to the readings topic and evaluates the partitions of it it owns: cluster mode. */
        PARTITIONED,
        /**
         * Only hands them to the readings topic (and dead streams' tails): a cluster node that ingests but does not
         * evaluate. Without it, what such a node stores would reach an evaluator only after the node died.
         */
        HANDOFF_ONLY
    }

    private final RoleContext context;
    private final Mode mode;
    private final AlertingConfig config;
    private final EscalationStore escalation;
    private final PatientHistoryStore history;
    private final AlertingMetrics metrics;
    private final WebhookStore webhooks;
    private final List<String> deploymentIds = new ArrayList<>();
    private volatile AlertingVerticle evaluation;

    public AlertingRole(RoleContext context) {
        this(context, Mode.LOCAL);
    }

    /** @param mode what happens to stored readings here (docs/cluster.md for the cluster modes) */
    public AlertingRole(RoleContext context, Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.context = context;
        this.config = AlertingConfig.from(context.settings());
        this.escalation = new EscalationStore(context.database().dataSource());
        this.history = new PatientHistoryStore(context.database().dataSource());
        this.metrics = new AlertingMetrics(context.meters(), alertRuleIds(config.clinicalRules().rules()));
        this.webhooks = new WebhookStore(context.database().dataSource());
    }

    /** The rule ids alerts can carry: each rule's own, and one per metric for the missing-data rule. */
    static List<String> alertRuleIds(ClinicalRules rules) {
        List<String> ids = new ArrayList<>();
        for (RuleSpec spec : rules.rules()) {
            if (spec instanceof RuleSpec.MissingData missing) {
                for (Metric metric : Metric.values()) {
                    ids.add(missing.ruleId(metric));
                }
            } else {
                ids.add(spec.id());
            }
        }
        return ids;
    }

    @Override
    public String name() {
        return mode == Mode.HANDOFF_ONLY ? "handoff" : "alerting";
    }

    @Override
    public Future<Void> start() {
        // One engine, one verticle instance: the engine is confined to that verticle's event loop.
        ClinicalEngine engine = new ClinicalEngine(config.clinicalRules().rules());
        evaluation = new AlertingVerticle(engine, new AlertSignalStore(context.database().dataSource(),
                config.clinicalRules().rules()::valueUnit), escalation,
                history, new EvaluationLog(context.database().dataSource()), metrics, context.clock(),
                config.tickInterval(), config.resumeSweep(), mode != Mode.LOCAL,
                new AlertingVerticle.SavedState(new EngineStateStore(context.database().dataSource(),
                        mode == Mode.LOCAL ? EngineStateStore.node(config.nodeId()) : EngineStateStore.CLUSTER),
                        config.stateSave()));
        return context.vertx()
                .deployVerticle(evaluation, new DeploymentOptions())
                .compose(id -> {
                    deploymentIds.add(id);
                    if (mode == Mode.HANDOFF_ONLY) {
                        // Escalation, webhooks and the API belong to the nodes that run the alerting role.
                        LOG.info("Handing stored readings to the readings topic, evaluating none here");
                        return Future.<Void>succeededFuture();
                    }
                    return deployRest(engine);
                });
    }

    @Override
    public String degraded() {
        AlertingVerticle v = evaluation;
        return v == null ? null : v.degraded();
    }

    private Future<Void> deployRest(ClinicalEngine engine) {
        return context.vertx().deployVerticle(new EscalationVerticle(escalation, metrics, context.clock(),
                        config.escalateAfter(), config.escalationSweep()))
                .compose(id -> {
                    deploymentIds.add(id);
                    LOG.info("Alerting on {} clinical rules [{}], history rebuilt over {}",
                            config.clinicalRules().rules().rules().size(), config.clinicalRules().source(),
                            engine.historyNeeded());
                    return context.vertx().deployVerticle(new WebhookDispatcher(webhooks, metrics, context.clock(),
                            config.webhooks()), new DeploymentOptions());
                })
                .map(id -> {
                    deploymentIds.add(id);
                    LOG.info("Webhook dispatcher polling every {}", config.webhooks().poll());
                    return (Void) null;
                });
    }

    @Override
    public void mount(Router api) {
        if (mode == Mode.HANDOFF_ONLY) {
            return;
        }
        // Each HTTP verticle instance mounts the routes with live feeds of its own, confined to its event loop.
        DataSource db = context.database().dataSource();
        LiveFeeds feeds = new LiveFeeds(context.vertx(), new FeedAccess(db), metrics, context.clock(),
                config.feedHeartbeat());
        new AlertsApi(context.vertx(), new AlertQueries(db), new AlertActions(db), feeds, new AuditLog(db), metrics,
                context.clock()).mount(api);
        new WebhooksApi(context.vertx(), webhooks, context.clock(), new SecureRandom()).mount(api);
        new ThresholdsApi(context.vertx(), config.clinicalRules().rules(), new CarePlanReader(db)).mount(api);
    }

    @Override
    public Future<Void> stop() {
        // In reverse order of deployment: the dispatcher stops (and records its last results) before the engine.
        Future<Void> stopped = Future.succeededFuture();
        for (int i = deploymentIds.size() - 1; i >= 0; i--) {
            String id = deploymentIds.get(i);
            stopped = stopped.compose(v -> context.vertx().undeploy(id));
        }
        return stopped;
    }
}
