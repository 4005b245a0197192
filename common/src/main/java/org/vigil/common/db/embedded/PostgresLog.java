package org.vigil.common.db.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the embedded PostgreSQL and its programs print: each line goes to Vigil's log at a level that fits its
 * severity, and the last lines are kept, so that an error saying PostgreSQL did not start can quote
 * PostgreSQL's own reason.
 *
 * <p>Server lines of severity LOG (start, recovery, shutdown) are logged at INFO; WARNING, FATAL and PANIC
 * (failed logins included) at WARN; ERROR and its DETAIL, HINT, CONTEXT and STATEMENT lines, which answer
 * statements Vigil already handles (a redelivered reading's duplicate key), at DEBUG, like the programs'
 * progress chatter.
 */
final class PostgresLog {

    private static final Logger LOG = LoggerFactory.getLogger("org.vigil.postgres");
    private static final Pattern SEVERITY = Pattern.compile(
            "\\b(LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|LOCATION):  ");
    private static final int KEPT_LINES = 40;

    private final Deque<String> recent = new ArrayDeque<>();
    private long count;

    /** Reads the process's output until it closes, on a thread of its own; returns that thread. */
    Thread follow(Process process, String program) {
        return Thread.ofPlatform().daemon().name("postgres-output-" + program).start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    accept(program, line);
                }
            } catch (IOException e) {
                LOG.debug("Output of {} ended: {}", program, e.toString());
            }
        });
    }

    void accept(String program, String line) {
        synchronized (this) {
            if (recent.size() == KEPT_LINES) {
                recent.removeFirst();
            }
            recent.addLast(line);
            count++;
        }
        Matcher severity = SEVERITY.matcher(line);
        String level = severity.find() ? severity.group(1) : "";
        switch (level) {
            case "LOG" -> LOG.info("[{}] {}", program, line);
            case "WARNING", "FATAL", "PANIC" -> LOG.warn("[{}] {}", program, line);
            default -> LOG.debug("[{}] {}", program, line);
        }
    }

    /** A position in the output, for {@link #since}. */
    synchronized long mark() {
        return count;
    }

    /** The lines printed since the mark (at most the last {@value #KEPT_LINES}), one per line. */
    synchronized String since(long mark) {
        long wanted = Math.min(count - mark, recent.size());
        List<String> lines = new ArrayList<>(recent).subList((int) (recent.size() - wanted), recent.size());
        return lines.isEmpty() ? "(PostgreSQL printed nothing)" : String.join("\n", lines);
    }
}
