package org.vigil.common.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Verifies that an error can quote exactly what PostgreSQL printed since a point, and no more than the last lines. */
@Timeout(10)
class PostgresLogTest {

    @Test
    void quotesTheLinesSinceTheMark() {
        PostgresLog log = new PostgresLog();
        log.accept("postgres", "2026-01-01 00:00:00.000 UTC [1] LOG:  starting PostgreSQL 17");
        long mark = log.mark();
        log.accept("postgres", "2026-01-01 00:00:00.001 UTC [1] LOG:  invalid value for parameter \"shared_buffers\"");
        log.accept("postgres", "2026-01-01 00:00:00.002 UTC [1] FATAL:  configuration file contains errors");

        assertThat(log.since(mark)).isEqualTo("2026-01-01 00:00:00.001 UTC [1] LOG:  invalid value for parameter"
                + " \"shared_buffers\"\n2026-01-01 00:00:00.002 UTC [1] FATAL:  configuration file contains errors");
        assertThat(log.since(log.mark())).isEqualTo("(PostgreSQL printed nothing)");
    }

    @Test
    void keepsOnlyTheLastFortyLines() {
        PostgresLog log = new PostgresLog();
        long mark = log.mark();
        for (int i = 1; i <= 100; i++) {
            log.accept("postgres", "line " + i);
        }
        assertThat(log.since(mark).lines().toList()).hasSize(40).startsWith("line 61").endsWith("line 100");
    }
}
