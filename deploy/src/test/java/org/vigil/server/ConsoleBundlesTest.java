package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps the console's message bundles whole: Chinese and English have the same keys, every key the pages ask for
 * by name exists, and no page writes words of its own outside the bundles' keys.
 */
@Timeout(30)
class ConsoleBundlesTest {

    private static final Path CONSOLE = Path.of("src/main/resources/org/vigil/server/console");
    private static final Pattern LITERAL_KEY = Pattern.compile("\\bt\\('([a-zA-Z0-9_.\\[\\]/%-]+)'");
    private static final Pattern STATIC_KEY = Pattern.compile("data-i18n=\"([^\"]+)\"");

    @Test
    void bothLanguagesHaveTheSameKeys() throws Exception {
        assertThat(ConsoleIT.bundle("en").fieldNames()).containsExactlyInAnyOrderElementsOf(
                ConsoleIT.bundle("zh-CN").fieldNames());
    }

    @Test
    void everyKeyThePagesNameExists() throws Exception {
        JsonObject zh = ConsoleIT.bundle("zh-CN");
        Set<String> named = new TreeSet<>();
        try (Stream<Path> files = Files.walk(CONSOLE)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".js") || f.toString().endsWith(".html")).toList()) {
                collect(file, named);
            }
        }
        assertThat(named).hasSizeGreaterThan(50);
        assertThat(named).allMatch(zh::containsKey, "is a key of the bundles");
    }

    private static void collect(Path file, Set<String> named) throws IOException {
        String text = Files.readString(file);
        for (Pattern p : new Pattern[] {LITERAL_KEY, STATIC_KEY}) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                named.add(m.group(1));
            }
        }
    }

    @Test
    void chineseIsTheDefaultAndNoPageUsesInlineScriptOrStyle() throws Exception {
        String index = Files.readString(CONSOLE.resolve("index.html"));
        assertThat(index).contains("<html lang=\"zh-CN\">").doesNotContain("style=").doesNotContain("<script>");
        assertThat(Files.readString(CONSOLE.resolve("i18n.js"))).contains(": 'zh-CN';");
    }
}
