package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup procedure of docs/operations.md for Vigil on an external PostgreSQL, run against the distribution's
 * own PostgreSQL (Debian's {@code postgresql} package): a cluster of its own on loopback, Vigil on it, then
 * {@code pg_dump}, the database dropped, {@code pg_restore} into a new one, and the readings, alerts and their
 * history are all there. Skipped where no such PostgreSQL is installed.
 */
@Timeout(300)
class ExternalBackupIT {

    @TempDir
    Path temp;

    @Test
    void aDumpOfTheExternalDatabaseRestoresReadingsAlertsAndTheirHistory() throws Exception {
        Optional<Path> bin = postgresBin();
        assumeThat(bin).as("a distribution PostgreSQL under /usr/lib/postgresql/*/bin").isPresent();
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeThat(!root || Files.isExecutable(Path.of("/usr/sbin/runuser")))
                .as("PostgreSQL refuses to run as root; runuser switches to the postgres user").isTrue();

        Path cluster = temp.resolve("cluster");
        Files.createDirectories(cluster);
        if (root) {
            // The postgres user must reach its directory through the test's private temporary one.
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
            UserPrincipalLookupService users = cluster.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(cluster, users.lookupPrincipalByName("postgres"));
        }
        int port = ServerProcess.freePort();
        asServer(root, bin.get().resolve("initdb").toString(), "-D", cluster.resolve("data").toString(), "-A", "trust",
                "-U", "postgres", "--no-sync");
        asServer(root, bin.get().resolve("pg_ctl").toString(), "-D", cluster.resolve("data").toString(), "-w", "-l",
                cluster.resolve("log").toString(), "-o",
                "-p " + port + " -k " + cluster + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        try {
            String admin = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
            // As docs/operations.md sets it up: a user of its own owning the database, no superuser.
            sql(admin, "CREATE ROLE vigil LOGIN PASSWORD 'vigil-password'");
            sql(admin, "CREATE DATABASE vigil OWNER vigil");
            Map<String, String> env = new HashMap<>(TestServers.loopback());
            env.put("VIGIL_DB_URL", "jdbc:postgresql://127.0.0.1:" + port + "/vigil");
            env.put("VIGIL_DB_USER", "vigil");
            env.put("VIGIL_DB_PASSWORD", "vigil-password");
            env.put("VIGIL_ADMIN_TOKEN", TestServers.TOKEN);
            env.put("VIGIL_DATA_DIR", temp.resolve("data").toString());

            JsonObject before;
            try (VigilServer server = TestServers.start(env); ApiClient api = new ApiClient(server.httpPort(), TestServers.TOKEN)) {
                before = PatientRecord.create(api, server.mqttPort());
            }

            // As docs/operations.md says: a custom-format dump, then into a new, empty database.
            Path dump = temp.resolve("vigil.dump");
            run(bin.get().resolve("pg_dump").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "vigil",
                    "-Fc", "-f", dump.toString(), "vigil");
            sql(admin, "DROP DATABASE vigil");
            sql(admin, "CREATE DATABASE vigil OWNER vigil");
            run(bin.get().resolve("pg_restore").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                    "vigil", "--no-owner", "--exit-on-error", "-d", "vigil", dump.toString());

            try (VigilServer server = TestServers.start(env); ApiClient api = new ApiClient(server.httpPort(), TestServers.TOKEN)) {
                assertThat(PatientRecord.snapshot(api, before.getLong("patientId"))).isEqualTo(before);
            }
        } finally {
            asServer(root, bin.get().resolve("pg_ctl").toString(), "-D", cluster.resolve("data").toString(), "-m", "fast",
                    "-w", "stop");
        }
    }

    /** The newest PostgreSQL of the distribution that has the server and its dump tools. */
    private static Optional<Path> postgresBin() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Stream.of("initdb", "pg_ctl", "pg_dump", "pg_restore").allMatch(t -> Files.isExecutable(b.resolve(t))))
                    .max((a, b) -> Integer.compare(major(a), major(b)));
        }
    }

    private static int major(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void sql(String url, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** Runs a server command as the postgres user when this test runs as root (PostgreSQL refuses root). */
    private static void asServer(boolean root, String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        run(full.toArray(String[]::new));
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }
}
