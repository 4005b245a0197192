package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies that no module's SQL names another module's tables (docs/architecture.md, "Module boundaries").
 *
 * <p>Ownership comes from the migrations: a table belongs to the module whose migrations create it, apart from
 * the few listed in {@link #BASE_OWNERS} that older migrations created in the wrong place. What a module
 * publishes for others to read are the views and functions its migrations create ({@code registry_*},
 * {@code ingest_*}, {@code visible_patients}, ...). The SQL checked is every string in a module's main Java
 * sources and its SQL resources outside the migrations, read the way the code base writes SQL (upper-case
 * keywords, lower-case names).
 */
@Timeout(60)
class ModuleBoundariesTest {

    /** Module directory to the name used in messages (sorted, so that messages come in one order). */
    private static final Map<String, String> MODULES = new TreeMap<>(Map.of("common", "common",
            "device-registry", "registry", "ingest", "ingest", "alerting", "alerting", "cluster", "cluster",
            "chronic", "chronic", "simulator", "simulator"));

    private static final String MIGRATIONS = "org/vigil/db/migration";

    /**
     * Tables created by migrations that sit elsewhere than their owner: V1 and V3 stay in common, below every
     * module, because registry's V7 alters V3's alert table; V12 (ingest's log) also created alerting's cursor;
     * registry's V7 created the audit log, which every module appends to through common's {@code AuditLog}.
     * Migrations never move or change once released, so these stay listed.
     */
    private static final Map<String, String> BASE_OWNERS = Map.of(
            "doctor", "registry",
            "patient", "registry",
            "device", "registry",
            "alert", "alerting",
            "evaluation_cursor", "alerting",
            "audit_event", "common");

    private static final Pattern CREATED = Pattern.compile(
            "CREATE\\s+(?:TEMP\\s+|TEMPORARY\\s+)?(TABLE|MATERIALIZED\\s+VIEW|VIEW|FUNCTION|SEQUENCE)\\s+"
                    + "(?:IF\\s+NOT\\s+EXISTS\\s+)?([a-z_][a-z0-9_]*)");
    private static final Pattern NAMED = Pattern.compile(
            "\\b(?:FROM|JOIN|INTO|UPDATE|TABLE|COPY|REFERENCES|OF)\\s+(?:ONLY\\s+)?([a-z_][a-z0-9_]*)");
    private static final Pattern TEXT_BLOCK = Pattern.compile("\"\"\"(.*?)\"\"\"", Pattern.DOTALL);
    private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
    private static final Pattern BLOCK_COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern LINE_COMMENT = Pattern.compile("(?m)^\\s*//.*$");

    private record Owner(String module, boolean published) {
    }

    @Test
    void noModuleNamesAnotherModulesTables() {
        Map<String, Owner> owners = owners();
        List<String> violations = new ArrayList<>();
        Map<String, Integer> crossReads = new TreeMap<>();
        MODULES.forEach((dir, module) -> {
            for (Path file : mainSql(dir)) {
                for (String sql : sqlIn(file)) {
                    Matcher m = NAMED.matcher(sql);
                    while (m.find()) {
                        Owner owner = owners.get(m.group(1));
                        if (owner == null || owner.module.equals(module)) {
                            continue;
                        }
                        if (owner.published) {
                            crossReads.merge(module + " -> " + m.group(1), 1, Integer::sum);
                        } else {
                            violations.add(module + " names " + owner.module + "'s " + m.group(1) + " in "
                                    + DeployFiles.repository().relativize(file));
                        }
                    }
                }
            }
        });
        assertThat(violations).as("SQL naming another module's tables (read its published views instead)").isEmpty();
        // The scan sees what it should: the known contracts are in use, so an empty list above means something.
        assertThat(crossReads).containsKeys("alerting -> registry_contract", "alerting -> ingest_reading",
                "ingest -> registry_patient");
    }

    @Test
    void everyTableHasOneOwnerAndPublishedNamesCarryTheirModule() {
        Map<String, Owner> owners = owners();
        assertThat(owners).containsKeys("reading", "alert", "contract", "webhook_outbox", "registry_contract");
        owners.forEach((name, owner) -> {
            if (owner.published && name.matches("(registry|ingest|alerting)_.*")) {
                assertThat(name).as("a published view carries its owner's name")
                        .startsWith(owner.module + "_");
            }
        });
    }

    /** Every table, view and function the migrations create, with its owner. */
    private static Map<String, Owner> owners() {
        Map<String, Owner> owners = new TreeMap<>();
        MODULES.forEach((dir, module) -> {
            for (Path file : migrations(dir)) {
                Matcher m = CREATED.matcher(read(file));
                while (m.find()) {
                    String kind = m.group(1);
                    String name = m.group(2);
                    boolean published = kind.equals("VIEW") || kind.equals("FUNCTION");
                    String owner = BASE_OWNERS.getOrDefault(name, module);
                    Owner previous = owners.put(name, new Owner(owner, published));
                    assertThat(previous == null || previous.module.equals(owner))
                            .as("%s is created by two modules", name).isTrue();
                }
            }
        });
        return owners;
    }

    private static List<Path> migrations(String module) {
        List<Path> files = new ArrayList<>();
        for (String root : List.of("src/main/resources/", "src/main/java/")) {
            files.addAll(files(DeployFiles.repository().resolve(module).resolve(root + MIGRATIONS), ""));
        }
        return files;
    }

    /** Main Java sources and SQL resources, without the migrations. */
    private static List<Path> mainSql(String module) {
        Path main = DeployFiles.repository().resolve(module).resolve("src/main");
        List<Path> files = new ArrayList<>(files(main.resolve("java"), ".java"));
        files.addAll(files(main.resolve("resources"), ".sql"));
        files.removeIf(f -> f.toString().replace('\\', '/').contains("/" + MIGRATIONS + "/"));
        return files;
    }

    private static List<Path> files(Path root, String suffix) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SQL a file may send: a .sql file whole, a Java file's string literals without its comments. */
    private static List<String> sqlIn(Path file) {
        String text = read(file);
        if (file.toString().endsWith(".sql")) {
            return List.of(text);
        }
        text = LINE_COMMENT.matcher(BLOCK_COMMENT.matcher(text).replaceAll(" ")).replaceAll(" ");
        List<String> strings = new ArrayList<>();
        Matcher blocks = TEXT_BLOCK.matcher(text);
        while (blocks.find()) {
            strings.add(blocks.group(1));
        }
        Matcher plain = STRING.matcher(blocks.replaceAll(" "));
        while (plain.find()) {
            strings.add(plain.group(1));
        }
        return strings;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
