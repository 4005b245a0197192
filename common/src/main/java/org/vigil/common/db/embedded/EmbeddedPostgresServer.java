package org.vigil.common.db.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server Vigil runs for itself when no external database is configured, with its data under
 * Vigil's data directory:
 *
 * <pre>
 * &lt;data dir&gt;/postgres/            the database cluster (PGDATA)
 * &lt;data dir&gt;/postgres-password    the superuser's generated password, owner-only
 * &lt;data dir&gt;/postgres-binaries/   PostgreSQL's programs, owner-only
 * &lt;data dir&gt;/postgres.lock        held while a Vigil process uses the directory
 * </pre>
 *
 * <p>{@link #start} takes the lock (one Vigil process per directory), unpacks the binaries
 * ({@link PostgresBinaries}), creates the cluster on first use, clears what a killed run left behind
 * ({@link Leftovers}), moves clusters of earlier versions to password logins ({@link EmbeddedAuth}), and
 * starts the postmaster, waiting as long as crash recovery takes, up to the start timeout. When PostgreSQL does
 * not come up, the error quotes PostgreSQL's own last lines, and a server that exits is reported at once.
 *
 * <p>The postmaster is a child of this JVM in a session of its own: its output (PostgreSQL's log) is read
 * directly, its exit is noticed at once, and the signals a terminal or service manager sends to Vigil's process
 * group do not stop it while Vigil drains; {@link #close} stops it after everything else. A supervisor thread
 * waits for its exit and, unless Vigil is closing, restarts it on the same port (pausing longer each time when
 * it keeps failing); clients see an outage meanwhile and reconnect by themselves. A {@link Watchdog} stops it
 * when the JVM dies without {@link #close}.
 *
 * <p>Why one class of over 350 lines: what can be done apart already is ({@link PostgresBinaries},
 * {@link NewCluster}, {@link Leftovers}, {@link EmbeddedAuth}, {@link Watchdog}, {@link PgTools},
 * {@link PostgresLog}). What is left is one process's life (start, supervise and restart, stop), and all of it
 * turns on the same few fields: the running {@code postmaster}, {@code restarting} and {@code closing}. The
 * supervisor thread and {@link #close} race over them; kept in one class, the order they are read and written in
 * can be checked in one place.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    static final String DATA = "postgres";
    static final String BINARIES = "postgres-binaries";
    static final String LOCK = "postgres.lock";
    private static final Duration READY_POLL = Duration.ofMillis(50);
    /** The line of {@code postmaster.pid} (from 0) that says "starting", "ready" or "stopping". */
    private static final int PID_FILE_STATUS_LINE = 7;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** How long a stop waits for the last sessions to end by themselves; Vigil has closed them all by then. */
    private static final Duration SESSIONS_END_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(30);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** A server that dies sooner than this after its start is restarted only after a growing pause. */
    private static final Duration STABLE_AFTER = Duration.ofMinutes(1);

    private final Path dataDir;
    private final PgTools tools;
    private final PostgresLog log;
    private final Duration startTimeout;
    private final int port;
    private final String password;
    private final FileChannel lockChannel;
    private final Watchdog watchdog;
    private final AtomicLong restarts = new AtomicLong();
    private volatile Process postmaster;
    private volatile boolean restarting;
    private volatile boolean closing;
    private Thread supervisor;

    private EmbeddedPostgresServer(Path dataDir, PgTools tools, PostgresLog log, Duration startTimeout, int port,
            String password, FileChannel lockChannel, Watchdog watchdog) {
        this.dataDir = dataDir;
        this.tools = tools;
        this.log = log;
        this.startTimeout = startTimeout;
        this.port = port;
        this.password = password;
        this.lockChannel = lockChannel;
        this.watchdog = watchdog;
    }

    /**
     * Starts the server of the data directory {@code home}; blocks until it accepts connections.
     *
     * @param startTimeout how long PostgreSQL may take to come up, crash recovery included
     * @throws IOException when it does not come up; the message quotes PostgreSQL's last lines
     */
    public static EmbeddedPostgresServer start(Path home, Duration startTimeout) throws IOException {
        Path root = home.toAbsolutePath().normalize();
        PrivateFiles.directory(root);
        FileChannel lockChannel = lock(root);
        Watchdog watchdog = null;
        try {
            PgTools tools = PgTools.of(PostgresBinaries.unpack(root.resolve(BINARIES)));
            PostgresLog log = new PostgresLog();
            Path passwordFile = root.resolve(EmbeddedAuth.PASSWORD_FILE);
            EmbeddedAuth.Password password = EmbeddedAuth.readOrCreate(passwordFile, new SecureRandom());
            Path dataDir = root.resolve(DATA);
            boolean created = !Files.exists(dataDir.resolve("PG_VERSION"));
            if (created) {
                NewCluster.create(tools, log, dataDir, passwordFile, startTimeout);
            }
            dataDir = dataDir.toRealPath();
            Leftovers.clear(dataDir, tools, log, LEFTOVER_GRACE);
            if (!created && (password.generated() || !EmbeddedAuth.hbaCurrent(dataDir))) {
                EmbeddedAuth.setPassword(tools, log, dataDir, password.value(), startTimeout);
            }
            watchdog = Watchdog.start(tools, dataDir);
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDir, tools, log, startTimeout, freePort(),
                    password.value(), lockChannel, watchdog);
            try {
                server.startPostmaster();
            } catch (IOException | InterruptedException e) {
                server.stop(server.postmaster, false);
                throw e;
            }
            LOG.info("Embedded PostgreSQL {} [data: {}, port: {}, pid: {}]", created ? "initialised" : "started", dataDir,
                    server.port, server.postmaster.pid());
            server.supervisor = Thread.ofPlatform().daemon().name("postgres-supervisor").start(server::supervise);
            return server;
        } catch (IOException | RuntimeException e) {
            release(watchdog, lockChannel);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(watchdog, lockChannel);
            throw new IOException("interrupted while starting the embedded PostgreSQL", e);
        }
    }

    private static FileChannel lock(Path root) throws IOException {
        FileChannel channel = FileChannel.open(root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("another Vigil process uses the data directory " + root);
        }
        return channel;
    }

    /**
     * Starts the postmaster as a child of this JVM and waits until it accepts connections (its
     * {@code postmaster.pid} says "ready", as {@code pg_ctl -w} checks), or quotes why it did not: it exited
     * (reported at once), or it was still not ready when the start timeout ran out.
     */
    private void startPostmaster() throws IOException, InterruptedException {
        long mark = log.mark();
        Process process = tools.startInOwnSession("postgres", serverArguments());
        postmaster = process;
        Thread output = log.follow(process, "postgres");
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (!ready(process.pid())) {
            if (!process.isAlive()) {
                output.join(TimeUnit.SECONDS.toMillis(2));
                throw new IOException("PostgreSQL exited with code " + process.exitValue() + " while starting [data: "
                        + dataDir + "]; its last lines:\n" + log.since(mark));
            }
            if (System.nanoTime() > deadline) {
                stop(process, false);
                output.join(TimeUnit.SECONDS.toMillis(2));
                throw new IOException("PostgreSQL was not ready within " + startTimeout + " (crash recovery may need"
                        + " longer: VIGIL_DB_START_TIMEOUT) [data: " + dataDir + "]; its last lines:\n" + log.since(mark));
            }
            process.waitFor(READY_POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** True when the data directory's {@code postmaster.pid} names this process and says it accepts connections. */
    private boolean ready(long pid) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.size() > PID_FILE_STATUS_LINE && lines.get(0).trim().equals(Long.toString(pid))
                    && lines.get(PID_FILE_STATUS_LINE).trim().equals("ready");
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> serverArguments() {
        return List.of("-D", dataDir.toString(),
                "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1",
                // No Unix socket: the only way in is TCP on loopback with the password.
                "-c", "unix_socket_directories=",
                "-c", "password_encryption=scram-sha-256",
                // The embedded server is for one node; keep its memory modest and its commits durable.
                "-c", "max_connections=200",
                "-c", "fsync=on",
                "-c", "synchronous_commit=on",
                "-c", "timezone=UTC");
    }

    /** Runs until {@link #close}: waits for the postmaster to exit, and restarts it when it was not asked to. */
    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        try {
            while (!closing) {
                Process watched = postmaster;
                long startedAt = System.nanoTime();
                int exit = watched.waitFor();
                if (closing) {
                    return;
                }
                restarting = true;
                restarts.incrementAndGet();
                long lostAt = System.nanoTime();
                LOG.warn("The embedded PostgreSQL stopped unexpectedly [pid: {}, exit code: {}]; restarting it",
                        watched.pid(), exit);
                if (lostAt - startedAt < STABLE_AFTER.toNanos()) {
                    Thread.sleep(backoff.toMillis());
                    backoff = longer(backoff);
                } else {
                    backoff = FIRST_BACKOFF;
                }
                while (!closing && !restartOnce()) {
                    Thread.sleep(backoff.toMillis());
                    backoff = longer(backoff);
                }
                if (closing) {
                    return;
                }
                restarting = false;
                LOG.info("The embedded PostgreSQL is back [pid: {}, port: {}, unavailable for {} ms]", postmaster.pid(),
                        port, (System.nanoTime() - lostAt) / 1_000_000);
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private boolean restartOnce() throws InterruptedException {
        try {
            Leftovers.clear(dataDir, tools, log, LEFTOVER_GRACE);
            startPostmaster();
            return true;
        } catch (IOException e) {
            LOG.warn("The embedded PostgreSQL did not restart; trying again: {}", e.getMessage());
            return false;
        }
    }

    private static Duration longer(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    /** A JDBC URL of a database on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return EmbeddedAuth.SUPERUSER;
    }

    public String password() {
        return password;
    }

    /** How often the server had to be restarted since Vigil started it. */
    public long restarts() {
        return restarts.get();
    }

    /** True while the server is found gone and not yet back. */
    public boolean restarting() {
        return restarting;
    }

    /**
     * Stops the server and releases the directory. Call it after every client has closed its connections: the
     * server waits a few seconds for its sessions to end, then ends those left (and writes a shutdown checkpoint).
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            if (supervisor != null) {
                supervisor.interrupt();
                supervisor.join(TimeUnit.SECONDS.toMillis(10));
            }
            stop(postmaster, true);
            LOG.info("Embedded PostgreSQL stopped [data: {}]", dataDir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release(watchdog, lockChannel);
        }
    }

    /**
     * Stops the postmaster, each way tried only when the one before did not stop it: "smart" (only when
     * {@code orderly}) lets the last sessions end by themselves, so a client closing its connections at the same
     * moment is not cut off; "fast" ends sessions and writes a shutdown checkpoint; "immediate" skips the
     * checkpoint (crash recovery at the next start); then SIGKILL.
     */
    private void stop(Process process, boolean orderly) throws InterruptedException {
        if (process == null) {
            return;
        }
        List<String> modes = orderly ? List.of("smart", "fast", "immediate") : List.of("fast", "immediate");
        for (String mode : modes) {
            if (!process.isAlive()) {
                return;
            }
            Duration wait = mode.equals("smart") ? SESSIONS_END_TIMEOUT : STOP_TIMEOUT;
            try {
                tools.run(log, wait.plusSeconds(5), "", "pg_ctl", "stop", "-D", dataDir.toString(), "-m", mode,
                        "-w", "-t", Long.toString(wait.toSeconds()), "-s");
            } catch (IOException e) {
                LOG.warn("pg_ctl stop failed: {}", e.getMessage());
            }
            // pg_ctl returns once the pid file is gone, a moment before the postmaster has exited.
            process.waitFor(5, TimeUnit.SECONDS);
        }
        if (process.isAlive()) {
            LOG.warn("The embedded PostgreSQL did not stop; killing it [pid: {}]", process.pid());
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void release(Watchdog watchdog, FileChannel lockChannel) {
        if (watchdog != null) {
            watchdog.close();
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            LOG.debug("Closing the data directory lock: {}", e.toString());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
