package org.vigil.common.db.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may log in to the embedded PostgreSQL: only a client that knows the password Vigil generated into
 * {@code <data dir>/postgres-password} (readable by its owner only), with SCRAM, over loopback TCP. The server
 * opens no Unix socket, and {@code pg_hba.conf} is rewritten at every start, so no {@code trust} line
 * survives an upgrade or an edit.
 *
 * <p>Data directories created by earlier versions let anyone on the machine log in as superuser without a
 * password ({@code trust}). They are moved over before the server starts: the password is set in
 * single-user mode (no network involved), then {@code pg_hba.conf} is replaced. Both steps are repeated
 * until {@code pg_hba.conf} is Vigil's, so a crash between them only repeats them.
 */
final class EmbeddedAuth {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedAuth.class);
    static final String PASSWORD_FILE = "postgres-password";
    static final String SUPERUSER = "postgres";
    static final String HBA = """
            # Written by Vigil at every start of its embedded PostgreSQL; changes here are replaced.
            # Password logins (SCRAM) only, over loopback. The password is in <data dir>/postgres-password.
            local   all   all                  scram-sha-256
            host    all   all   127.0.0.1/32   scram-sha-256
            host    all   all   ::1/128        scram-sha-256
            """;

    /** The superuser's password and whether it was generated just now. */
    record Password(String value, boolean generated) {
    }

    private EmbeddedAuth() {
    }

    static Password readOrCreate(Path file, SecureRandom random) throws IOException {
        if (Files.exists(file)) {
            PrivateFiles.ownerOnly(file);
            return new Password(Files.readString(file, StandardCharsets.UTF_8).trim(), false);
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        // URL-safe base64: no quote or backslash, so it can be written into SQL and initdb's password file as is.
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        PrivateFiles.writeAtomically(file, password + "\n");
        return new Password(password, true);
    }

    static boolean hbaCurrent(Path dataDir) throws IOException {
        Path hba = dataDir.resolve("pg_hba.conf");
        return Files.exists(hba) && Files.readString(hba, StandardCharsets.UTF_8).equals(HBA);
    }

    static void writeHba(Path dataDir) throws IOException {
        PrivateFiles.writeAtomically(dataDir.resolve("pg_hba.conf"), HBA);
    }

    /**
     * Sets the superuser's password in single-user mode, then makes {@code pg_hba.conf} Vigil's. The server must
     * not be running.
     */
    static void setPassword(PgTools tools, PostgresLog log, Path dataDir, String password, Duration timeout)
            throws IOException, InterruptedException {
        long mark = log.mark();
        int exit = tools.run(log, timeout, "ALTER ROLE " + SUPERUSER + " WITH PASSWORD '" + password + "';\n",
                "postgres", "--single", "-D", dataDir.toString(), "-c", "exit_on_error=on",
                "-c", "password_encryption=scram-sha-256",
                // A failing statement is not printed with the error: this one holds the password.
                "-c", "log_min_error_statement=panic", "postgres");
        if (exit != 0) {
            throw new IOException("could not set the database password (postgres --single exited with " + exit + "):\n"
                    + log.since(mark));
        }
        writeHba(dataDir);
        LOG.info("The embedded PostgreSQL now requires the password in {} (password logins only)",
                dataDir.resolveSibling(PASSWORD_FILE));
    }
}
