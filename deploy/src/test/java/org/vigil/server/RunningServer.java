package org.vigil.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.vigil.common.config.Settings;
import org.vigil.common.db.Database;

/**
 * A real Vigil server in the test JVM for one test class: started before the class's {@code @BeforeAll}
 * methods on loopback ports and a fresh database of the test PostgreSQL, closed after its {@code @AfterAll}
 * methods, with an admin {@link ApiClient}. A class sets what it changes from the defaults:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RunningServer server = RunningServer.builder().set("VIGIL_MQTT_MAX_CONNECTIONS", "5").build();
 * }</pre>
 *
 * <p>Two servers of one class share a database with {@link Builder#sharingDatabaseWith}; give them an
 * {@code @Order} so the first starts first (extensions close in reverse). Two nodes of a cluster: the first
 * {@link Builder#inKafkaCluster}, the second sharing its database, and so its cluster.
 */
final class RunningServer implements BeforeAllCallback, AfterAllCallback {

    private final Supplier<Map<String, String>> base;
    private final Map<String, String> overrides;
    private final Clock clock;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final ApiClient api = ApiClient.of(this::httpPort, this::adminToken);
    private Map<String, String> settings;
    private VigilServer server;

    private RunningServer(Builder builder) {
        this.base = builder.base;
        this.overrides = Map.copyOf(builder.overrides);
        this.clock = builder.clock;
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Map<String, String> env = new HashMap<>(base.get());
        env.putAll(overrides);
        settings = Map.copyOf(env);
        server = VigilServer.start(Settings.of(settings), clock);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (AutoCloseable client : clients.reversed()) {
            client.close();
        }
        clients.clear();
        api.close();
        if (server != null) {
            server.close();
        }
    }

    /** The server itself, for what the accessors here do not cover. */
    VigilServer server() {
        return server;
    }

    /** The settings it was started with, as an operator would have set them. */
    Map<String, String> settings() {
        return settings;
    }

    int httpPort() {
        if (server == null) {
            throw new IllegalStateException("the server starts before the class's @BeforeAll methods, not earlier");
        }
        return server.httpPort();
    }

    int mqttPort() {
        return server.mqttPort();
    }

    /** Where a device connects: {@code tcp://127.0.0.1:port}. */
    String mqttUri() {
        return "tcp://127.0.0.1:" + server.mqttPort();
    }

    String adminToken() {
        return server.adminToken();
    }

    /**
     * A client with the admin token, closed with the server. It can be taken before the server starts, into a
     * constant: {@code static final ApiClient api = server.api();}.
     */
    ApiClient api() {
        return api;
    }

    /** A client with {@code token} (a doctor's, say), closed with the server. */
    ApiClient client(String token) {
        ApiClient client = new ApiClient(server.httpPort(), token);
        clients.add(client);
        return client;
    }

    /** The server's database, with the pool it uses. */
    Database database() {
        return server.database();
    }

    /** A new connection to the server's database, as its own login; the caller closes it. */
    Connection connection() throws SQLException {
        return DriverManager.getConnection(settings.get("VIGIL_DB_URL"), settings.get("VIGIL_DB_USER"),
                settings.get("VIGIL_DB_PASSWORD"));
    }

    static final class Builder {

        private Supplier<Map<String, String>> base = TestServers::externalDatabase;
        private final Map<String, String> overrides = new HashMap<>();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** One setting changed from the test default, as the environment variable an operator would set. */
        Builder set(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** Several settings changed from the test default. */
        Builder setAll(Map<String, String> settings) {
            overrides.putAll(settings);
            return this;
        }

        /** The clock the server reads, for a test that moves time on instead of waiting. */
        Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** A node of a cluster: a fresh database and topics of its own on the test Kafka broker. */
        Builder inKafkaCluster() {
            this.base = TestServers::kafkaCluster;
            return this;
        }

        /**
         * The same database (and admin token) as {@code other}, which must have started first, and its Kafka
         * cluster if it is a node of one.
         */
        Builder sharingDatabaseWith(RunningServer other) {
            this.base = () -> {
                Map<String, String> env = new HashMap<>(TestServers.loopback());
                for (String key : List.of("VIGIL_DB_URL", "VIGIL_DB_USER", "VIGIL_DB_PASSWORD", "VIGIL_ADMIN_TOKEN",
                        "VIGIL_KAFKA_BOOTSTRAP_SERVERS", "VIGIL_KAFKA_TOPIC_PREFIX", "VIGIL_KAFKA_REPLICATION")) {
                    if (other.settings().containsKey(key)) {
                        env.put(key, other.settings().get(key));
                    }
                }
                return env;
            };
            return this;
        }

        RunningServer build() {
            return new RunningServer(this);
        }
    }
}
