package org.vigil.chronic.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.chronic.control.ControlEvaluator;
import org.vigil.chronic.store.CareStore;
import org.vigil.chronic.store.StatusStore;
import org.vigil.chronic.store.SweepClaims;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.bus.ReadingBatchCodec;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.testing.HandClock;
import org.vigil.common.testing.Poll;
import org.vigil.common.testing.VertxAndDatabase;

/**
 * A patient with new readings is re-evaluated after the refresh delay, and then at most once per refresh interval:
 * a COPD wearer's SpO2 every minute waits for the interval, and is judged from all her readings once it has passed;
 * the recount of her reading days reaches back to the earliest day the new readings were measured on.
 */
@Timeout(60)
class StatusRefreshIT {

    /** 10:20 in Shanghai. */
    private static final Instant NOW = Instant.parse("2026-12-05T02:20:00Z");
    private static final Duration INTERVAL = Duration.ofMinutes(15);
    private static final long PATIENT = 1;

    @RegisterExtension
    static final VertxAndDatabase env = new VertxAndDatabase();

    @BeforeAll
    static void open() throws Exception {
        env.vertx().eventBus().registerDefaultCodec(ReadingBatch.class, new ReadingBatchCodec());
        TestVillage.seed(env.dataSource(), "(1, 'COPD', '{copd}')", PATIENT);
    }

    @Test
    void newReadingsReEvaluateAPatientAtMostOncePerInterval() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        HandClock clock = new HandClock(NOW);
        StatusKeeper keeper = new StatusKeeper(new CareStore(env.dataSource()),
                new StatusStore(env.dataSource()), new ControlEvaluator(ChronicConfig.defaults().control()));
        env.vertx().deployVerticle(new StatusVerticle(keeper, new CareStore(env.dataSource()),
                new SweepClaims(env.dataSource()), "a", StatusMetrics.micrometer(meters), clock,
                Duration.ofHours(1), Duration.ofMillis(1), INTERVAL)).await();
        Poll.until("the sweep at start", Duration.ofSeconds(20),
                () -> meters.get(StatusMetrics.SWEEPS).tag("outcome", "swept").counter().count() == 1);

        publish(stored(NOW.minus(Duration.ofMinutes(30)), 3, 93));
        Poll.until("re-evaluated for its new readings", Duration.ofSeconds(20), () -> spo2Readings() == 3);
        assertThat(status()).isEqualTo("controlled");
        assertThat(readingDays()).as("today's readings counted").isEqualTo(3);

        // Three minutes later, three low readings: her refresh interval has not passed, so she waits.
        clock.set(NOW.plus(Duration.ofMinutes(3)));
        publish(stored(NOW.minus(Duration.ofMinutes(3)), 3, 80));
        Poll.until("waiting for her interval", Duration.ofSeconds(20),
                () -> meters.get(StatusMetrics.WAITING).gauge().value() == 1);
        assertThat(spo2Readings()).as("not re-evaluated within the interval").isEqualTo(3);
        assertThat(meters.get(StatusMetrics.REFRESHES).counter().count()).isEqualTo(1);

        // The interval passed; a reading measured three days ago arrives (a buffered upload).
        clock.set(NOW.plus(INTERVAL));
        publish(stored(NOW.minus(Duration.ofDays(3)), 1, 90));
        Poll.until("re-evaluated once the interval passed", Duration.ofSeconds(20), () -> spo2Readings() == 7);
        assertThat(status()).as("the mean of 3 x 93, 3 x 80 and 90, 87.0, is below 88").isEqualTo("uncontrolled");
        assertThat(current().getDouble("spo2Mean")).isEqualTo(87.0);
        assertThat(meters.get(StatusMetrics.WAITING).gauge().value()).isZero();
        assertThat(readingDays()).as("recounted back to the upload's day").isEqualTo(7);
    }

    /** Stores {@code count} SpO2 readings a minute apart from {@code first} and returns them as ingest hands them on. */
    private static List<Reading> stored(Instant first, int count, double value) throws Exception {
        List<Reading> readings = new ArrayList<>();
        try (Connection c = env.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO reading (patient_id, metric, ts, device_id, value) VALUES (?, ?, ?, 1, ?)")) {
            for (int i = 0; i < count; i++) {
                Instant at = first.plus(Duration.ofMinutes(i));
                ps.setLong(1, PATIENT);
                ps.setShort(2, (short) Metric.SPO2.code());
                ps.setTimestamp(3, Timestamp.from(at));
                ps.setDouble(4, value);
                ps.addBatch();
                readings.add(new Reading(1, PATIENT, Metric.SPO2, at.toEpochMilli(), value, null));
            }
            ps.executeBatch();
        }
        return readings;
    }

    private static void publish(List<Reading> readings) {
        env.vertx().eventBus().publish(Addresses.READINGS_COMMITTED, new ReadingBatch(1, 0, readings));
    }

    private static JsonObject current() throws Exception {
        try (Connection c = env.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT status, figures FROM control_status WHERE patient_id = 1"
                     + " AND condition = 'copd' AND until_at IS NULL")) {
            return rs.next() ? new JsonObject(rs.getString(2)).put("status", rs.getString(1)) : new JsonObject();
        }
    }

    private static int spo2Readings() throws Exception {
        return current().getInteger("spo2Readings", -1);
    }

    private static String status() throws Exception {
        return current().getString("status");
    }

    /** SpO2 readings counted in the months' day counts. */
    private static int readingDays() throws Exception {
        try (Connection c = env.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(sum(total), 0) FROM measurement_month WHERE patient_id = 1"
                     + " AND metric = " + Metric.SPO2.code())) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
