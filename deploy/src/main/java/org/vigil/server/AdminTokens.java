package org.vigil.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The admin token of an embedded installation: generated once into {@code <data dir>/admin-token}
 * (readable by the owner only) and read back on every later start, so it survives restarts.
 */
final class AdminTokens {

    static final String FILE = "admin-token";

    private AdminTokens() {
    }

    static String readOrCreate(Path dataDir, SecureRandom random) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(dataDir);
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system; the data directory's own permissions apply
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the admin token at " + file.toAbsolutePath(), e);
        }
    }
}
