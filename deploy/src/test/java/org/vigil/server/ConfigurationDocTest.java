package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code docs/configuration.md}, the one place settings are described, against the keys the code reads: every
 * key of every module's configuration record has a row there, and every {@code VIGIL_} name there, or anywhere
 * in README and the other docs, is a key the server reads (or a retired one that stops start-up). As
 * {@code OpenApiIT} keeps the API description true to the routes, this keeps the settings page true to the code.
 */
@Timeout(60)
class ConfigurationDocTest {

    /** A key, or a family of keys written with a wildcard ({@code VIGIL_HTTP_TLS_*}). */
    private static final Pattern VIGIL_NAME = Pattern.compile("\\bVIGIL_[A-Z0-9_]*[A-Z0-9](_\\*)?");
    /** A string literal naming a key in Java, or a {@code ${VIGIL_...}} placeholder in a resource file. */
    private static final Pattern KEY_IN_SOURCE = Pattern.compile("\"(VIGIL_[A-Z0-9_]+)\"|\\$\\{(VIGIL_[A-Z0-9_]+)");
    private static final List<String> MODULES = List.of("common", "device-registry", "ingest", "alerting", "deploy",
            "simulator");

    @Test
    void everyKeyTheCodeReadsHasARowOnTheConfigurationPage() {
        Set<String> documented = keysInTableRows(page());
        Set<String> missing = new TreeSet<>(ConfigKeys.all());
        missing.removeAll(documented);
        assertThat(missing).as("keys read by the code but not in a table of docs/configuration.md").isEmpty();
    }

    @Test
    void everyVigilNameOnTheConfigurationPageIsAKeyTheCodeReads() {
        Set<String> unknown = unknownNames(page());
        assertThat(unknown).as("VIGIL_ names in docs/configuration.md that no configuration record reads").isEmpty();
    }

    @Test
    void everyRowOfTheConfigurationPageGivesADefaultAndAMeaning() {
        List<String> incomplete = new ArrayList<>();
        for (String row : tableRows(page())) {
            String[] cells = cells(row);
            if (cells.length != 3 || cells[1].isBlank() || cells[2].isBlank()) {
                incomplete.add(row);
            }
        }
        assertThat(incomplete).as("rows without key, default and meaning").isEmpty();
    }

    @Test
    void readmeAndTheOtherDocsNameOnlyRealKeys() throws IOException {
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        files.add(DeployFiles.repository().resolve("README.md"));
        try (Stream<Path> docs = Files.walk(DeployFiles.repository().resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        for (Path file : files) {
            Set<String> names = unknownNames(DeployFiles.text(file));
            if (!names.isEmpty()) {
                unknown.put(DeployFiles.repository().relativize(file).toString(), names);
            }
        }
        assertThat(files).hasSizeGreaterThan(5);
        assertThat(unknown).as("VIGIL_ names in the docs that are no configuration key").isEmpty();
    }

    /**
     * The keys are found through the configuration classes' constants ({@link ConfigKeys}); a key read anywhere
     * else, as a literal in main code or a placeholder in a resource, would escape the checks above.
     */
    @Test
    void noMainCodeReadsAKeyOutsideTheConfigurationRecords() throws IOException {
        Map<String, Set<String>> stray = new LinkedHashMap<>();
        int files = 0;
        for (String module : MODULES) {
            Path main = DeployFiles.repository().resolve(module).resolve("src/main");
            try (Stream<Path> walk = Files.walk(main)) {
                for (Path file : walk.filter(Files::isRegularFile).filter(ConfigurationDocTest::isText).toList()) {
                    files++;
                    Matcher m = KEY_IN_SOURCE.matcher(DeployFiles.text(file));
                    while (m.find()) {
                        String key = m.group(1) != null ? m.group(1) : m.group(2);
                        if (!isKey(key)) {
                            stray.computeIfAbsent(DeployFiles.repository().relativize(file).toString(),
                                    k -> new TreeSet<>()).add(key);
                        }
                    }
                }
            }
        }
        assertThat(files).isGreaterThan(100);
        assertThat(stray).as("keys read outside the configuration records").isEmpty();
    }

    private static String page() {
        return DeployFiles.text(DeployFiles.repository().resolve("docs/configuration.md"));
    }

    private static Set<String> unknownNames(String text) {
        Set<String> unknown = new TreeSet<>();
        Matcher m = VIGIL_NAME.matcher(text);
        while (m.find()) {
            if (!isKey(m.group())) {
                unknown.add(m.group());
            }
        }
        return unknown;
    }

    private static boolean isKey(String name) {
        if (name.endsWith("_*")) {
            String prefix = name.substring(0, name.length() - 1);
            return ConfigKeys.all().stream().anyMatch(k -> k.startsWith(prefix));
        }
        return ConfigKeys.all().contains(name) || ConfigKeys.retired().contains(name);
    }

    /** The keys named in the first cell of the settings tables' rows. */
    private static Set<String> keysInTableRows(String text) {
        Set<String> keys = new TreeSet<>();
        for (String row : tableRows(text)) {
            Matcher m = VIGIL_NAME.matcher(cells(row)[0]);
            while (m.find()) {
                keys.add(m.group());
            }
        }
        return keys;
    }

    /** Table body rows: lines between pipes, without the header row and its separator. */
    private static List<String> tableRows(String text) {
        List<String> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("|") && !trimmed.startsWith("|---") && !trimmed.startsWith("| key |")) {
                rows.add(trimmed);
            }
        }
        assertThat(rows).as("settings table rows in docs/configuration.md").hasSizeGreaterThan(30);
        return rows;
    }

    private static String[] cells(String row) {
        String inner = row.substring(1, row.endsWith("|") ? row.length() - 1 : row.length());
        String[] cells = inner.split("\\|", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].trim();
        }
        return cells;
    }

    private static boolean isText(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".java") || name.endsWith(".xml") || name.endsWith(".json") || name.endsWith(".yaml")
                || name.endsWith(".properties") || name.endsWith(".sql");
    }
}
