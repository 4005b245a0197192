package org.vigil.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The text of a module's rules document: the file an operator's setting names, or else the copy built into the
 * module, with the name its errors go under and where it came from for the start-up log.
 *
 * @param text    the document
 * @param key     what errors in it are reported under: the setting, or the built-in document's name
 * @param source  the file, or {@code built-in defaults}
 */
public record RulesDocument(String text, String key, String source) {

    /**
     * The file named by {@code fileKey} if set, else the built-in document.
     *
     * @param builtInName  the built-in document's file name, e.g. {@code clinical-rules.json}
     * @param builtIn      reads the built-in document
     */
    public static RulesDocument load(Settings settings, String fileKey, String builtInName,
            java.util.function.Supplier<String> builtIn) {
        Optional<String> file = settings.optional(fileKey);
        if (file.isEmpty()) {
            return new RulesDocument(builtIn.get(), builtInName, "built-in defaults");
        }
        try {
            return new RulesDocument(Files.readString(Path.of(file.get()), StandardCharsets.UTF_8), fileKey, file.get());
        } catch (IOException e) {
            throw new ConfigException(fileKey, "cannot read " + file.get() + " (" + e.getMessage() + ")");
        }
    }

    /**
     * A document built into the module as a class-path resource of {@code owner}; a missing or unreadable one is a
     * broken build, not an operator's error.
     *
     * @param what  the document in words, e.g. {@code clinical rules}
     */
    public static String resource(Class<?> owner, String path, String what) {
        try (InputStream in = owner.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("built-in " + what + " missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("built-in " + what + " unreadable", e);
        }
    }
}
