package org.vigil.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.vigil.cluster.testing.TestKafka;
import org.vigil.common.config.Settings;
import org.vigil.common.db.DatabaseConfig;
import org.vigil.common.testing.TestPostgres;

/** Starts real Vigil servers for tests: random loopback ports, a fresh database. */
final class TestServers {

    static final String TOKEN = "test-admin-token-0123456789";

    private TestServers() {
    }

    /** Settings for a server on a new database of the test PostgreSQL, as an operator would set them. */
    static Map<String, String> externalDatabase() {
        DatabaseConfig db = TestPostgres.newDatabase();
        Map<String, String> env = new HashMap<>(loopback());
        env.put("VIGIL_DB_URL", db.url().orElseThrow());
        env.put("VIGIL_DB_USER", db.user());
        env.put("VIGIL_DB_PASSWORD", db.password());
        env.put("VIGIL_ADMIN_TOKEN", TOKEN);
        return env;
    }

    /**
     * Settings for a node of a cluster: a new database of the test PostgreSQL, as {@link #externalDatabase()}, and
     * topics of their own on the test Kafka broker. Each node adds its own {@code VIGIL_NODE_ID}.
     */
    static Map<String, String> kafkaCluster() {
        Map<String, String> env = externalDatabase();
        env.put("VIGIL_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers());
        env.put("VIGIL_KAFKA_TOPIC_PREFIX", TestKafka.newTopicPrefix());
        env.put("VIGIL_KAFKA_REPLICATION", "1");
        return env;
    }

    /** Settings for a server on its own embedded PostgreSQL in {@code dataDir}, as an operator would set them. */
    static Map<String, String> embeddedDatabase(java.nio.file.Path dataDir) {
        Map<String, String> env = new HashMap<>(loopback());
        env.put("VIGIL_DATA_DIR", dataDir.toString());
        env.put("VIGIL_ADMIN_TOKEN", TOKEN);
        return env;
    }

    /** The per-device rate limit lifted, for tests that push many messages through one device. */
    static Map<String, String> unlimitedRate(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put("VIGIL_MQTT_MAX_MESSAGES_PER_SECOND", "1000000");
        copy.put("VIGIL_MQTT_MESSAGE_BURST", "1000000");
        return copy;
    }

    static Map<String, String> loopback() {
        return Map.of("VIGIL_HTTP_HOST", "127.0.0.1", "VIGIL_HTTP_PORT", "0",
                "VIGIL_MQTT_HOST", "127.0.0.1", "VIGIL_MQTT_PORT", "0");
    }

    /** A connection to the database the settings name. */
    static Connection database(Map<String, String> env) throws SQLException {
        return DriverManager.getConnection(env.get("VIGIL_DB_URL"), env.get("VIGIL_DB_USER"),
                env.get("VIGIL_DB_PASSWORD"));
    }

    /** The number a query such as {@code SELECT count(*) ...} returns, from the database the settings name. */
    static long count(Map<String, String> env, String sql) throws SQLException {
        try (Connection c = database(env); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code (1,2,3)}: the devices' patients, for a query's {@code patient_id IN}. */
    static String patientIds(java.util.List<Devices> devices) {
        StringBuilder sb = new StringBuilder("(");
        for (Devices d : devices) {
            sb.append(sb.length() > 1 ? "," : "").append(d.patientId());
        }
        return sb.append(')').toString();
    }

    static VigilServer start(Map<String, String> env) throws Exception {
        return VigilServer.start(Settings.of(env), Clock.systemUTC());
    }
}
