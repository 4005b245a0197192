package org.vigil.common.db.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the system says about a process by its id: whether it still runs, its program, its working directory.
 * Read from Linux's {@code /proc}, because {@link ProcessHandle#isAlive()} counts a zombie as alive, and a
 * killed postmaster whose parent does not reap it (a container's first process often does not) stays one.
 */
final class ProcessProbe {

    private static final Path PROC = Path.of("/proc");

    private ProcessProbe() {
    }

    /** True while the process exists and has not exited (a zombie has). */
    static boolean running(long pid) {
        Path stat = PROC.resolve(Long.toString(pid)).resolve("stat");
        if (!Files.isDirectory(PROC)) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        try {
            String text = Files.readString(stat);
            // "pid (name) S ...": the state follows the last parenthesis, as the name may contain any.
            int close = text.lastIndexOf(')');
            char state = close >= 0 && close + 2 < text.length() ? text.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** The file name of the process's program ({@code postgres}), when it may be known. */
    static Optional<String> program(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().command()).map(c -> Path.of(c).getFileName().toString());
    }

    /** The process's working directory, when it may be known; PostgreSQL's processes work in their data directory. */
    static Optional<Path> workingDirectory(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("cwd")));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** True when the process runs PostgreSQL's {@code postgres} program in {@code dataDir} (a real path). */
    static boolean isPostgresOf(long pid, Path dataDir) {
        return workingDirectory(pid).filter(dataDir::equals).isPresent() && running(pid)
                && program(pid).filter("postgres"::equals).isPresent();
    }

    /** The running {@code postgres} processes (postmaster and server processes) working in {@code dataDir}. */
    static List<ProcessHandle> postgresOf(Path dataDir) {
        return ProcessHandle.allProcesses().filter(p -> isPostgresOf(p.pid(), dataDir)).toList();
    }
}
