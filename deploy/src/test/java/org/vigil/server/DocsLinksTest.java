package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every relative link in README and {@code docs/} leads to a file that exists and, when it names a section,
 * to a heading there, so reference text moved between pages cannot leave a reader at a dead end.
 */
@Timeout(60)
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$");

    @Test
    void everyRelativeLinkLeadsToAFileAndHeadingThatExist() throws IOException {
        Path repository = DeployFiles.repository();
        List<Path> pages = new ArrayList<>();
        pages.add(repository.resolve("README.md"));
        try (Stream<Path> docs = Files.list(repository.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path page : pages) {
            Matcher m = LINK.matcher(DeployFiles.text(page));
            while (m.find()) {
                String link = m.group(1);
                if (link.matches("^[a-z]+:.*")) {
                    continue;
                }
                links++;
                int hash = link.indexOf('#');
                String file = hash < 0 ? link : link.substring(0, hash);
                Path target = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                String where = repository.relativize(page) + " → " + link;
                if (!Files.exists(target)) {
                    broken.add(where + ": no such file");
                } else if (hash >= 0 && !anchors(target).contains(link.substring(hash + 1))) {
                    broken.add(where + ": no such heading");
                }
            }
        }
        assertThat(links).as("relative links checked").isGreaterThan(20);
        assertThat(broken).isEmpty();
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> anchors(Path page) {
        Set<String> anchors = new HashSet<>();
        Matcher m = HEADING.matcher(DeployFiles.text(page));
        while (m.find()) {
            anchors.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-'));
        }
        return anchors;
    }
}
