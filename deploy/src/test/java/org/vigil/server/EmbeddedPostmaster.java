package org.vigil.server;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The embedded PostgreSQL of a Vigil data directory, seen from outside: its postmaster and whether it runs. */
final class EmbeddedPostmaster {

    private EmbeddedPostmaster() {
    }

    private static Path pidFile(Path dataDir) {
        return dataDir.resolve("postgres").resolve("postmaster.pid");
    }

    /** The postmaster's process id, from its {@code postmaster.pid}. */
    static long pid(Path dataDir) throws IOException {
        return Long.parseLong(Files.readAllLines(pidFile(dataDir)).get(0).trim());
    }

    /** The port the postmaster listens on, from its {@code postmaster.pid} (the fourth line). */
    static int port(Path dataDir) throws IOException {
        return Integer.parseInt(Files.readAllLines(pidFile(dataDir)).get(3).trim());
    }

    /** True while the process exists and has not exited (a zombie, which nobody reaped, has). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until PostgreSQL removed its {@code postmaster.pid}, which it does at the end of a clean shutdown. */
    static boolean awaitShutdown(Path dataDir, Duration timeout) throws IOException, InterruptedException {
        Path file = pidFile(dataDir);
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_DELETE);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (Files.exists(file)) {
                long left = deadline - System.nanoTime();
                WatchKey key = left > 0 ? watcher.poll(left, TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    return !Files.exists(file);
                }
                key.pollEvents();
                key.reset();
            }
            return true;
        }
    }
}
