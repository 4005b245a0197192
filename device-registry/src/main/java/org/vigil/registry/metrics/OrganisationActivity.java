package org.vigil.registry.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.app.PeriodicJob;

/**
 * Exports, for each organisation whose patients have devices, how many devices it has, how many are connected and
 * when the most recently heard of them was last seen (Unix seconds). A village whose devices all went silent (its
 * network is down, a shared gateway broke) shows as a last-seen time that stops moving while the rest of the county
 * keeps sending, which one alert rule watches.
 *
 * <p>A device belongs to the organisation of the team its patient is contracted to now. The figures are counted
 * every {@code interval} with one grouped query on a worker thread; a scrape only reads the last count. The tag is
 * the organisation's id: organisations are few (hundreds in a county), so the series stay few.
 */
public final class OrganisationActivity extends VerticleBase {

    public static final String DEVICES = "vigil.organisation.devices";
    public static final String CONNECTED = "vigil.organisation.devices.connected";
    public static final String LAST_SEEN = "vigil.organisation.devices.last.seen";

    private static final Logger LOG = LoggerFactory.getLogger(OrganisationActivity.class);
    private static final String COUNT_BY_ORGANISATION = """
            SELECT t.organisation_id, count(*) AS devices, count(*) FILTER (WHERE d.connected) AS connected,
                   max(d.last_seen_at) AS last_seen
              FROM device d
              JOIN device_binding b ON b.device_id = d.id AND b.valid_to IS NULL
              JOIN contract c ON c.patient_id = b.patient_id AND c.valid_to IS NULL
              JOIN team t ON t.id = c.team_id
             WHERE d.revoked_at IS NULL
             GROUP BY t.organisation_id""";

    private record Row(long organisationId, long devices, long connected, Timestamp lastSeen) {
    }

    private final DataSource dataSource;
    private final Duration interval;
    private final MultiGauge devices;
    private final MultiGauge connected;
    private final MultiGauge lastSeen;
    private PeriodicJob<List<Row>> job;

    public OrganisationActivity(DataSource dataSource, Duration interval, MeterRegistry meters) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.devices = MultiGauge.builder(DEVICES)
                .description("Devices in service (bound, not revoked) of the organisation's contracted patients")
                .register(meters);
        this.connected = MultiGauge.builder(CONNECTED)
                .description("Of those, devices connected now").register(meters);
        this.lastSeen = MultiGauge.builder(LAST_SEEN).baseUnit("seconds")
                .description("Unix time at which the organisation's most recently seen device was last heard from")
                .register(meters);
    }

    @Override
    public Future<?> start() {
        job = new PeriodicJob<>(vertx, interval, this::count, ar -> {
            if (ar.failed()) {
                // The database is away: keep the last figures; the database alert says what is wrong.
                LOG.debug("Organisation activity not counted: {}", ar.cause().toString());
                return;
            }
            publish(ar.result());
        });
        job.start(true);
        return Future.succeededFuture();
    }

    private List<Row> count() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(COUNT_BY_ORGANISATION)) {
            while (rs.next()) {
                rows.add(new Row(rs.getLong("organisation_id"), rs.getLong("devices"), rs.getLong("connected"),
                        rs.getTimestamp("last_seen")));
            }
        }
        return rows;
    }

    private void publish(List<Row> rows) {
        List<MultiGauge.Row<?>> deviceRows = new ArrayList<>();
        List<MultiGauge.Row<?>> connectedRows = new ArrayList<>();
        List<MultiGauge.Row<?>> seenRows = new ArrayList<>();
        for (Row r : rows) {
            Tags tags = Tags.of("organisation", Long.toString(r.organisationId()));
            deviceRows.add(MultiGauge.Row.of(tags, r.devices()));
            connectedRows.add(MultiGauge.Row.of(tags, r.connected()));
            if (r.lastSeen() != null) {
                seenRows.add(MultiGauge.Row.of(tags, r.lastSeen().getTime() / 1000.0));
            }
        }
        devices.register(deviceRows, true);
        connected.register(connectedRows, true);
        lastSeen.register(seenRows, true);
    }

    @Override
    public Future<?> stop() {
        if (job != null) {
            job.stop();
        }
        return Future.succeededFuture();
    }
}
