package org.vigil.common.db.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** Creates the database cluster of {@link EmbeddedPostgresServer} on first use, with {@code initdb}. */
final class NewCluster {

    private NewCluster() {
    }

    /** Creates the cluster beside its place and renames it into place, so a crash never leaves half of one. */
    static void create(PgTools tools, PostgresLog log, Path dataDir, Path passwordFile, Duration timeout)
            throws IOException, InterruptedException {
        if (Files.exists(dataDir)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(dataDir + " holds files but no PostgreSQL database; move it away");
                }
            }
            Files.delete(dataDir);
        }
        Path temp = dataDir.resolveSibling(dataDir.getFileName() + ".initdb");
        deleteTree(temp);
        long mark = log.mark();
        int exit = tools.run(log, timeout, "", "initdb", "-D", temp.toString(), "-U", EmbeddedAuth.SUPERUSER,
                "-E", "UTF-8", "--auth=scram-sha-256", "--pwfile=" + passwordFile, "--no-instructions");
        if (exit != 0) {
            throw new IOException("initdb failed with exit code " + exit + ":\n" + log.since(mark));
        }
        EmbeddedAuth.writeHba(temp);
        Files.move(temp, dataDir, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
