package org.vigil.registry.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.Objects;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.care.CarePlanCheck;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.model.DeviceSecrets;
import org.vigil.registry.store.AccountStore;
import org.vigil.registry.store.DeviceStore;
import org.vigil.registry.store.DoctorAccessStore;
import org.vigil.registry.store.OrganisationStore;
import org.vigil.registry.store.PatientStore;

/**
 * The registry's REST routes under {@code /api/v1}: organisations, doctors and teams; doctors' tokens and
 * activation; patients, contracts and care plans; devices and their bindings; the audit log. Handlers validate on
 * the event loop and run the stores on worker threads.
 */
public final class RegistryApi {

    private final OrganisationsApi organisations;
    private final DoctorAccessApi doctorAccess;
    private final PatientsApi patients;
    private final DevicesApi devices;
    private final AuditApi audit;
    private final AccountsApi accounts;

    public RegistryApi(Vertx vertx, OrganisationStore organisationStore, PatientStore patientStore,
            DeviceStore deviceStore, DoctorAccessStore doctorAccessStore, AccountStore accountStore, AuditLog auditLog, DeviceSecrets secrets,
            CarePlanCheck carePlans, RegistryConfig config, Clock clock) {
        Objects.requireNonNull(vertx, "vertx");
        Handlers handlers = new Handlers(vertx);
        this.organisations = new OrganisationsApi(handlers, Objects.requireNonNull(organisationStore));
        this.doctorAccess = new DoctorAccessApi(handlers, Objects.requireNonNull(doctorAccessStore), secrets,
                Objects.requireNonNull(config), clock);
        this.patients = new PatientsApi(handlers, Objects.requireNonNull(patientStore), auditLog, carePlans, clock);
        this.devices = new DevicesApi(handlers, Objects.requireNonNull(deviceStore), secrets, clock);
        this.audit = new AuditApi(handlers, auditLog);
        this.accounts = new AccountsApi(handlers, Objects.requireNonNull(accountStore), secrets,
                config.console().setupLinkLifetime(), clock);
    }

    /** Mounts the routes on a router rooted at {@code /api/v1}. */
    public void mount(Router api) {
        organisations.mount(api);
        doctorAccess.mount(api);
        patients.mount(api);
        devices.mount(api);
        audit.mount(api);
        accounts.mount(api);
    }
}
