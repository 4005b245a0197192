package org.vigil.common.db.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops the embedded PostgreSQL when this JVM dies without stopping it (SIGKILL, the OOM killer, a crash).
 * The postmaster runs in a session of its own (so a Ctrl-C or a signal to Vigil's process group does not stop
 * the database under a draining Vigil), and would otherwise outlive the JVM, holding the data directory and
 * memory until the next start clears it.
 *
 * <p>The watchdog is a small shell child of the JVM that waits for the end of a pipe only the JVM holds open;
 * the kernel closes it when the JVM dies, however it dies, and the shell then runs {@code pg_ctl stop}
 * (fast: sessions are ended, a shutdown checkpoint is written). It ignores the signals a terminal or service
 * manager sends to the whole process group, so it does not act while Vigil shuts down in order. If it dies
 * with the JVM (SIGKILL of the whole group), the next start stops the left-over server instead.
 */
final class Watchdog implements AutoCloseable {

    private static final String SCRIPT = "trap '' HUP INT TERM QUIT; read -r _; exec \"$@\"";

    private final Process process;
    /** The write end of the watchdog's pipe, held here for the JVM's lifetime: closing it fires the watchdog. */
    private final OutputStream lifeline;

    private Watchdog(Process process) {
        this.process = process;
        this.lifeline = process.getOutputStream();
    }

    static Watchdog start(PgTools tools, Path dataDir) throws IOException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", SCRIPT, "vigil-postgres-watchdog"));
        command.addAll(tools.command("pg_ctl", List.of("stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60",
                "-s")));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new Watchdog(process);
    }

    /** Ends the watchdog without letting it act: Vigil stops the database itself, in order. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            lifeline.close();
        } catch (IOException e) {
            // the watchdog is gone already
        }
    }
}
