package org.vigil.registry.app;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.security.SecureRandom;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;
import org.vigil.registry.http.RegistryApi;
import org.vigil.registry.model.DeviceSecrets;
import org.vigil.registry.store.RegistryStore;

/** The {@code registry} role: the REST API over doctors, patients and devices. */
public final class RegistryRole implements Role {

    private final RoleContext context;

    public RegistryRole(RoleContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return "registry";
    }

    @Override
    public Future<Void> start() {
        return Future.succeededFuture();
    }

    @Override
    public void mount(Router api) {
        new RegistryApi(context.vertx(), new RegistryStore(context.database().dataSource()),
                new DeviceSecrets(new SecureRandom())).mount(api);
    }

    @Override
    public Future<Void> stop() {
        return Future.succeededFuture();
    }
}
