package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
 * A county server without containers, as docs/operations.md sets it up: the install script, the systemd unit
 * ({@code systemd-analyze verify}), the start script finding a Java 21 or newer among the machine's Javas, the
 * server run by that script on its embedded database, and the backup procedure: back up, destroy, restore, and
 * the readings, alerts and their history are all there.
 */
@Timeout(300)
class SingleServerIT {

    private static final Path SERVER_JAR = DeployFiles.path("target/vigil-server.jar");

    @TempDir
    Path temp;

    /** A finished command: its exit status and what it wrote. */
    private record Run(int status, String out, String err) {
    }

    @Test
    void theInstallScriptLaysOutTheServerAndKeepsSettingsOnAnUpgrade() throws Exception {
        Path root = install();
        for (String file : List.of("opt/vigil/lib/vigil-server.jar", "opt/vigil/bin/vigil-start", "opt/vigil/bin/vigil-health",
                "opt/vigil/bin/vigil-backup", "opt/vigil/bin/vigil-restore", "opt/vigil/doc/operations.md",
                "etc/systemd/system/vigil.service", "etc/vigil/vigil.env")) {
            assertThat(root.resolve(file)).as(file).exists();
        }
        assertThat(root.resolve("opt/vigil/bin/vigil-start")).isExecutable();
        assertThat(Files.getPosixFilePermissions(root.resolve("etc/vigil/vigil.env")).toString())
                .as("settings may hold the database password").doesNotContain("OTHERS_READ");
        assertThat(Files.getPosixFilePermissions(root.resolve("var/lib/vigil")).toString()).doesNotContain("OTHERS");

        Files.writeString(root.resolve("etc/vigil/vigil.env"), "VIGIL_HTTP_PORT=9999\n");
        Run again = run(Map.of(), DeployFiles.path("systemd/install.sh").toString(), "--root", root.toString(),
                "--jar", SERVER_JAR.toString());
        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.out()).contains("kept the existing");
        assertThat(Files.readString(root.resolve("etc/vigil/vigil.env"))).isEqualTo("VIGIL_HTTP_PORT=9999\n");
    }

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeThat(Files.isExecutable(analyze)).as("systemd-analyze is installed (it is not here: unit not verified)")
                .isTrue();
        Path root = install();
        // The unit names /opt/vigil: verify a copy that names the staged installation, so the commands it runs exist.
        String unit = Files.readString(root.resolve("etc/systemd/system/vigil.service"))
                .replace("/opt/vigil", root.resolve("opt/vigil").toString());
        Path copy = Files.createDirectories(temp.resolve("units")).resolve("vigil.service");
        Files.writeString(copy, unit);
        Run verify = run(Map.of(), analyze.toString(), "verify", copy.toString());
        assertThat(verify.status()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out() + verify.err()).as("no warning about the unit").doesNotContain("vigil.service");
    }

    @Test
    void theStartScriptFindsAJava21OrNewerAndNamesTheOnesTooOld() throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Optional<Path> java17 = java17();
        Path script = DeployFiles.path("bin/vigil-start");
        Path jvms = Files.createDirectories(temp.resolve("jvm"));
        Files.createSymbolicLink(jvms.resolve("new"), javaHome);
        java17.ifPresent(home -> symlink(jvms.resolve("old"), home));
        Path tools = toolsOnly(null);

        Run found = run(Map.of("PATH", tools.toString(), "JAVA_SEARCH_DIRS", jvms.toString()), script.toString(), "--check");
        assertThat(found.status()).as(found.err()).isZero();
        assertThat(found.out().trim()).isEqualTo("Java " + Runtime.version().feature() + " at " + jvms.resolve("new/bin/java"));
        assertThat(found.err()).as("the newest is tried first, so none was passed over").isEmpty();

        // JAVA_HOME on a Java 17 is passed over for the newer one, and said so.
        if (java17.isPresent()) {
            Run home = run(Map.of("PATH", tools.toString(), "JAVA_SEARCH_DIRS", jvms.toString(),
                    "JAVA_HOME", java17.get().toString()), script.toString(), "--check");
            assertThat(home.status()).isZero();
            assertThat(home.out()).contains(jvms.resolve("new/bin/java").toString());
            assertThat(home.err()).contains("passed over " + java17.get().resolve("bin/java") + " (Java 17), too old");
        }
    }

    @Test
    void withOnlyJava17TheStartScriptSaysWhatIsMissingAndExits3() throws Exception {
        Optional<Path> java17 = java17();
        assumeThat(java17).as("a Java 17 under /usr/lib/jvm (Debian 12's default)").isPresent();
        Path jvms = Files.createDirectories(temp.resolve("jvm17"));
        Files.createSymbolicLink(jvms.resolve("old"), java17.get());
        Path tools = toolsOnly(java17.get().resolve("bin/java"));

        Run missing = run(Map.of("PATH", tools.toString(), "JAVA_SEARCH_DIRS", jvms.toString()),
                DeployFiles.path("bin/vigil-start").toString());
        assertThat(missing.status()).isEqualTo(3);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).contains("Vigil needs Java 21 or newer", "(Java 17)", "Install Java 21+", "JAVA_HOME");
    }

    @Test
    void aBackupOfTheEmbeddedDataDirectoryRestoresReadingsAlertsAndTheirHistory() throws Exception {
        Path root = install();
        Path bin = root.resolve("opt/vigil/bin");
        Path data = temp.resolve("data");
        int http = ServerProcess.freePort();
        int mqtt = ServerProcess.freePort();
        Map<String, String> env = new HashMap<>(Map.of("VIGIL_DATA_DIR", data.toString(),
                "VIGIL_HTTP_HOST", "127.0.0.1", "VIGIL_HTTP_PORT", Integer.toString(http),
                "VIGIL_MQTT_HOST", "127.0.0.1", "VIGIL_MQTT_PORT", Integer.toString(mqtt),
                "JAVA_HOME", System.getProperty("java.home")));
        List<String> start = List.of(bin.resolve("vigil-start").toString());

        JsonObject before;
        String token;
        Path backup = temp.resolve("backup/vigil.tar.gz");
        Files.createDirectories(backup.getParent());
        try (ServerProcess server = new ServerProcess(start, env, temp.resolve("first.log"), http)) {
            server.start();
            assertThat(run(Map.of("VIGIL_HTTP_PORT", Integer.toString(http)), bin.resolve("vigil-health").toString())
                    .status()).isZero();
            token = Files.readString(data.resolve("admin-token")).trim();
            try (ApiClient api = new ApiClient(http, token)) {
                before = PatientRecord.create(api, mqtt);
            }
            Run refused = run(Map.of(), bin.resolve("vigil-backup").toString(), data.toString(), backup.toString());
            assertThat(refused.status()).as("a copy of a running database is not a backup").isEqualTo(3);
            assertThat(refused.err()).contains("stop Vigil first");
            assertThat(backup).doesNotExist();
            assertThat(server.terminate(Duration.ofSeconds(60))).as("SIGTERM is a clean stop").isEqualTo(143);
        }

        Run saved = run(Map.of(), bin.resolve("vigil-backup").toString(), data.toString(), backup.toString());
        assertThat(saved.status()).as(saved.err()).isZero();
        deleteRecursively(data);
        Run restored = run(Map.of(), bin.resolve("vigil-restore").toString(), backup.toString(), data.toString());
        assertThat(restored.status()).as(restored.err()).isZero();

        try (ServerProcess server = new ServerProcess(start, env, temp.resolve("restored.log"), http)) {
            server.start();
            assertThat(Files.readString(data.resolve("admin-token")).trim()).as("the admin token came back too")
                    .isEqualTo(token);
            try (ApiClient api = new ApiClient(http, token)) {
                assertThat(PatientRecord.snapshot(api, before.getLong("patientId"))).isEqualTo(before);
            }
            assertThat(server.terminate(Duration.ofSeconds(60))).isEqualTo(143);
        }

        // Restoring over a directory keeps what was there, beside it.
        Run over = run(Map.of(), bin.resolve("vigil-restore").toString(), backup.toString(), data.toString());
        assertThat(over.status()).as(over.err()).isZero();
        try (Stream<Path> siblings = Files.list(temp)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("data.before-restore-"));
        }
    }

    /** Runs install.sh into a directory of its own, from this build's jar. */
    private Path install() throws Exception {
        assertThat(SERVER_JAR).as("the server jar is built before the integration tests").exists();
        Path root = Files.createDirectories(temp.resolve("root"));
        Run install = run(Map.of(), DeployFiles.path("systemd/install.sh").toString(), "--root", root.toString(),
                "--jar", SERVER_JAR.toString());
        assertThat(install.status()).as(install.out() + install.err()).isZero();
        return root;
    }

    /** A Java 17 installation of this machine, if it has one. */
    private static Optional<Path> java17() throws IOException {
        Path jvm = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvm)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvm)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")))
                    .filter(h -> h.getFileName().toString().contains("17")).findFirst();
        }
    }

    /**
     * A PATH holding only what the start script uses, so the machine's own java is not found by accident; with
     * {@code java} given, that one is the java on the PATH.
     */
    private Path toolsOnly(Path java) throws IOException {
        Path tools = Files.createDirectories(temp.resolve(java == null ? "tools" : "tools-java"));
        for (String tool : List.of("bash", "dirname", "readlink", "sed", "sort", "cat")) {
            for (String dir : List.of("/usr/bin", "/bin")) {
                Path found = Path.of(dir, tool);
                if (Files.isExecutable(found) && !Files.exists(tools.resolve(tool))) {
                    Files.createSymbolicLink(tools.resolve(tool), found);
                }
            }
        }
        if (java != null) {
            Files.createSymbolicLink(tools.resolve("java"), java);
        }
        return tools;
    }

    private static void symlink(Path link, Path target) {
        try {
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Run run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_HOME");
        builder.environment().putAll(env);
        Process process = builder.start();
        // Read both streams while it runs, so a full pipe never blocks it.
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        return new Run(process.exitValue(), out, err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.delete(p);
            }
        }
        assertThat(dir).doesNotExist();
    }
}
