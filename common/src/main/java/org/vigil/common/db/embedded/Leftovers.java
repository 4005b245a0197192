package org.vigil.common.db.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears what an earlier run of the embedded PostgreSQL left in its data directory, so the next start
 * succeeds. Only called while this process holds the data directory's lock, so whatever PostgreSQL still
 * runs there belongs to a Vigil process that is gone.
 *
 * <ul>
 *   <li>A postmaster still running (its JVM was killed; the postmaster runs in a session of its own): it is
 *   stopped, fast (sessions ended, a shutdown checkpoint), then harder if it does not stop in time. It is
 *   not adopted: it runs with the settings, port and authentication of the process that started it.
 *   It is ours when its {@code postmaster.pid} names it, it runs the {@code postgres} program, and it works
 *   in this data directory.</li>
 *   <li>A {@code postmaster.pid} naming a process that has exited (a zombie included), runs another program
 *   or works in another directory:
 *   removed, as PostgreSQL would otherwise take the process for a server still running. PostgreSQL's own
 *   shared-memory check still guards against server processes of this directory that live on.</li>
 *   <li>Server processes of a killed postmaster: they end by themselves once they notice; until then they
 *   hold its shared memory and PostgreSQL refuses to start, so they are waited for, and killed if they
 *   linger.</li>
 * </ul>
 */
final class Leftovers {

    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);
    private static final long POLL_MILLIS = 100;

    private Leftovers() {
    }

    static void clear(Path dataDir, PgTools tools, PostgresLog log, Duration grace)
            throws IOException, InterruptedException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        Optional<Long> pid = postmasterPid(dataDir);
        if (pid.isPresent()) {
            long postmaster = pid.get();
            if (ProcessProbe.isPostgresOf(postmaster, dataDir)) {
                LOG.warn("A PostgreSQL server left over from an earlier run still uses {} [pid: {}]; stopping it",
                        dataDir, postmaster);
                stop(dataDir, tools, log, grace, postmaster);
            } else if (!ProcessProbe.running(postmaster)
                    || ProcessProbe.program(postmaster).filter(p -> !p.equals("postgres")).isPresent()
                    || ProcessProbe.workingDirectory(postmaster).filter(d -> !d.equals(dataDir)).isPresent()) {
                LOG.info("Removing the stale {} [pid {} is not a PostgreSQL server]", pidFile, postmaster);
                Files.deleteIfExists(pidFile);
            }
        }
        awaitServerProcessesGone(dataDir, grace);
    }

    private static void stop(Path dataDir, PgTools tools, PostgresLog log, Duration grace, long postmaster)
            throws IOException, InterruptedException {
        long seconds = Math.max(1, grace.toSeconds());
        for (String mode : List.of("fast", "immediate")) {
            tools.run(log, grace.plusSeconds(5), "", "pg_ctl", "stop", "-D", dataDir.toString(), "-m", mode,
                    "-w", "-t", Long.toString(seconds), "-s");
            // pg_ctl returns once the pid file is gone, a moment before the postmaster has exited.
            long exited = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ProcessProbe.running(postmaster) && System.nanoTime() < exited) {
                Thread.sleep(POLL_MILLIS);
            }
            if (!ProcessProbe.running(postmaster)) {
                return;
            }
        }
        LOG.warn("The left-over PostgreSQL server did not stop; killing it [pid: {}]", postmaster);
        ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static void awaitServerProcessesGone(Path dataDir, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        List<ProcessHandle> left = ProcessProbe.postgresOf(dataDir);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
            left = ProcessProbe.postgresOf(dataDir);
        }
        if (!left.isEmpty()) {
            LOG.warn("Killing {} PostgreSQL processes left in {} [pids: {}]", left.size(), dataDir,
                    left.stream().map(ProcessHandle::pid).toList());
            left.forEach(ProcessHandle::destroyForcibly);
            long killed = System.nanoTime() + grace.toNanos();
            while (!ProcessProbe.postgresOf(dataDir).isEmpty() && System.nanoTime() < killed) {
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    /** The postmaster's process id from the data directory's {@code postmaster.pid}, if there is one. */
    static Optional<Long> postmasterPid(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
