package org.vigil.chronic.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.chronic.control.ControlEvaluator;
import org.vigil.chronic.store.CareStore;
import org.vigil.chronic.store.StatusStore;
import org.vigil.chronic.store.SweepClaims;
import org.vigil.common.testing.Poll;
import org.vigil.common.testing.VertxAndDatabase;

/**
 * Two nodes on one database sweep control status in turn: the first to claim a period sweeps it (its managed
 * patient's status is written), the second leaves it; a node may claim its own period again, and the next period
 * is anyone's.
 */
@Timeout(60)
class StatusSweepIT {

    /** 10:00 in Shanghai; the hour-long period it falls in starts at 02:00 UTC. */
    private static final Instant NOW = Instant.parse("2026-12-05T02:20:00Z");
    private static final Instant PERIOD = Instant.parse("2026-12-05T02:00:00Z");
    private static final Duration SWEEP = Duration.ofHours(1);

    @RegisterExtension
    static final VertxAndDatabase env = new VertxAndDatabase();

    @BeforeAll
    static void open() throws Exception {
        TestVillage.seed(env.dataSource(), "(1, 'HT', '{hypertension}')", 1);
    }

    @Test
    void theFirstNodeToClaimAPeriodSweepsItAndTheOtherLeavesIt() throws Exception {
        MeterRegistry a = new SimpleMeterRegistry();
        env.vertx().deployVerticle(node("a", a)).await();
        Poll.until("node a swept", Duration.ofSeconds(20), () -> sweeps(a, "swept") == 1);
        Poll.until("the managed patient's status is written", Duration.ofSeconds(20), () -> statusRows() == 1);

        MeterRegistry b = new SimpleMeterRegistry();
        env.vertx().deployVerticle(node("b", b)).await();
        Poll.until("node b left the period to node a", Duration.ofSeconds(20),
                () -> sweeps(b, "left_to_another_node") == 1);
        assertThat(sweeps(b, "swept")).isZero();
        assertThat(claimedBy(PERIOD)).isEqualTo("a");

        SweepClaims claims = new SweepClaims(env.dataSource());
        assertThat(claims.claim(PERIOD, "a", NOW)).as("a node claims its own period again").isTrue();
        assertThat(claims.claim(PERIOD, "b", NOW)).isFalse();
        assertThat(claims.claim(PERIOD.plus(SWEEP), "b", NOW.plus(SWEEP))).as("the next period is anyone's").isTrue();
        assertThat(claimedBy(PERIOD.plus(SWEEP))).isEqualTo("b");
    }

    private static StatusVerticle node(String name, MeterRegistry registry) {
        StatusKeeper keeper = new StatusKeeper(new CareStore(env.dataSource()), new StatusStore(env.dataSource()),
                new ControlEvaluator(ChronicConfig.defaults().control()));
        return new StatusVerticle(keeper, new CareStore(env.dataSource()), new SweepClaims(env.dataSource()),
                name, StatusMetrics.micrometer(registry), Clock.fixed(NOW, ZoneOffset.UTC), SWEEP, Duration.ofSeconds(1),
                Duration.ZERO);
    }

    private static double sweeps(MeterRegistry registry, String outcome) {
        return registry.get(StatusMetrics.SWEEPS).tag("outcome", outcome).counter().count();
    }

    private static int statusRows() throws Exception {
        try (Connection c = env.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM control_status WHERE patient_id = 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String claimedBy(Instant period) throws Exception {
        try (Connection c = env.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT node FROM chronic_sweep WHERE period_start = '" + period + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
