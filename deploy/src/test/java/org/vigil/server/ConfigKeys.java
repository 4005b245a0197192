package org.vigil.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration keys the server really reads, found where they are declared rather than copied into a
 * list: the {@code VIGIL_*} constants of every configuration class on the class path (each module's
 * {@code *Config} record and {@link org.vigil.common.config.Settings}), and the {@code ${VIGIL_*}} placeholders
 * of the server's {@code logback.xml}. Constants named {@code RETIRED_*} are keys that stop start-up and so
 * are not settings.
 */
final class ConfigKeys {

    private static final String LOGBACK = "src/main/resources/logback.xml";
    private static final Pattern LOGBACK_PLACEHOLDER = Pattern.compile("\\$\\{(VIGIL_[A-Z0-9_]+)");
    private static Set<String> keys;
    private static Set<String> retired;

    private ConfigKeys() {
    }

    static synchronized Set<String> all() {
        if (keys == null) {
            Set<String> found = new TreeSet<>();
            for (String className : configClasses()) {
                found.addAll(constants(className, false));
            }
            found.addAll(logbackKeys());
            keys = Set.copyOf(found);
        }
        return keys;
    }

    /** Keys of earlier versions that now stop start-up with a message naming their replacement. */
    static synchronized Set<String> retired() {
        if (retired == null) {
            Set<String> found = new TreeSet<>();
            for (String className : configClasses()) {
                found.addAll(constants(className, true));
            }
            retired = Set.copyOf(found);
        }
        return retired;
    }

    /** The configuration classes of the server's main code (not tests) on this JVM's class path. */
    static List<String> configClasses() {
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (entry.contains("test-classes") || entry.endsWith("-tests.jar")) {
                continue;
            }
            try {
                if (Files.isDirectory(path)) {
                    try (Stream<Path> files = Files.walk(path)) {
                        files.map(f -> path.relativize(f).toString().replace(java.io.File.separatorChar, '/'))
                                .filter(ConfigKeys::isConfigClass)
                                .forEach(f -> names.add(className(f)));
                    }
                } else if (path.getFileName().toString().startsWith("vigil-") && entry.endsWith(".jar")) {
                    try (JarFile jar = new JarFile(path.toFile())) {
                        jar.stream().map(e -> e.getName()).filter(ConfigKeys::isConfigClass)
                                .forEach(f -> names.add(className(f)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    private static boolean isConfigClass(String file) {
        return file.startsWith("org/vigil/") && (file.endsWith("Config.class") || file.endsWith("/Settings.class"));
    }

    private static String className(String file) {
        return file.substring(0, file.length() - ".class".length()).replace('/', '.');
    }

    private static Set<String> constants(String className, boolean retiredOnes) {
        Set<String> found = new TreeSet<>();
        try {
            Class<?> type = Class.forName(className);
            for (Field field : type.getDeclaredFields()) {
                int m = field.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isFinal(m) && field.getType() == String.class
                        && field.getName().startsWith("RETIRED") == retiredOnes) {
                    field.setAccessible(true);
                    Object value = field.get(null);
                    if (value instanceof String s && s.startsWith("VIGIL_")) {
                        found.add(s);
                    }
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the keys of " + className, e);
        }
        return found;
    }

    private static Set<String> logbackKeys() {
        Set<String> found = new TreeSet<>();
        try {
            Matcher m = LOGBACK_PLACEHOLDER.matcher(Files.readString(DeployFiles.module().resolve(LOGBACK)));
            while (m.find()) {
                found.add(m.group(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
