package org.vigil.registry.app;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.care.CarePlanCheck;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.http.RegistryApi;
import org.vigil.registry.metrics.OrganisationActivity;
import org.vigil.registry.model.DeviceSecrets;
import org.vigil.registry.store.AccountStore;
import org.vigil.registry.store.DeviceStore;
import org.vigil.registry.store.DoctorAccessStore;
import org.vigil.registry.store.OrganisationStore;
import org.vigil.registry.store.PatientStore;

/**
 * The {@code registry} role: the REST API over organisations, doctors, teams, patients, contracts, care plans,
 * devices and the audit log.
 */
public final class RegistryRole implements Role {

    private final RoleContext context;
    /** How often devices' activity per organisation is counted for the metrics: as often as Prometheus scrapes. */
    private static final Duration ACTIVITY_COUNT = Duration.ofSeconds(15);

    private final CarePlanCheck carePlans;
    private String activityDeployment;
    private final RegistryConfig config;

    /**
     * @param carePlans  checks care plans against the clinical rules before they are stored (the alerting
     *                   module's, wired by the launcher: the registry does not know the rules)
     */
    public RegistryRole(RoleContext context, CarePlanCheck carePlans) {
        this.context = Objects.requireNonNull(context, "context");
        this.carePlans = Objects.requireNonNull(carePlans, "carePlans");
        // Read here so a bad setting stops start-up before anything listens.
        this.config = RegistryConfig.from(context.settings());
    }

    @Override
    public String name() {
        return "registry";
    }

    @Override
    public Future<Void> start() {
        return context.vertx().deployVerticle(new OrganisationActivity(context.database().dataSource(), ACTIVITY_COUNT,
                context.meters())).map(id -> {
                    activityDeployment = id;
                    return null;
                });
    }

    @Override
    public void mount(Router api) {
        DataSource ds = context.database().dataSource();
        new RegistryApi(context.vertx(), new OrganisationStore(ds), new PatientStore(ds), new DeviceStore(ds),
                new DoctorAccessStore(ds), new AccountStore(ds), new AuditLog(ds), new DeviceSecrets(new SecureRandom()), carePlans, config,
                context.clock()).mount(api);
    }

    @Override
    public Future<Void> stop() {
        return activityDeployment == null ? Future.succeededFuture() : context.vertx().undeploy(activityDeployment);
    }
}
