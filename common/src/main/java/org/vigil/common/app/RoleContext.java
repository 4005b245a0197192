package org.vigil.common.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.vigil.common.config.Settings;
import org.vigil.common.db.Database;

/**
 * What the launcher hands every role: the Vert.x instance, the settings to read its configuration record
 * from, the database, the meter registry and the clock (injected so tests control time).
 */
public record RoleContext(Vertx vertx, Settings settings, Database database, MeterRegistry meters, Clock clock) {
}
