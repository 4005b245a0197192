package org.vigil.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Verifies which failures retrying may mend, wherever they sit on the cause chain. */
@Timeout(10)
class SqlErrorsTest {

    @ParameterizedTest
    @ValueSource(strings = {"08001", "08006", "53300", "57P01", "57P03", "40001", "40P01"})
    void connectionResourceRestartAndRollbackStatesAreTransient(String state) {
        SQLException e = new SQLException("failed", state);

        assertThat(SqlErrors.isTransient(e)).isTrue();
        assertThat(SqlErrors.transientCause(e)).isSameAs(e);
    }

    /** An I/O failure the driver could not classify carries no state. */
    @Test
    void anSqlExceptionWithoutStateIsTransient() {
        assertThat(SqlErrors.isTransient(new SQLException("An I/O error occurred", (String) null))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "23503", "22P02", "42601", "42P01", "28P01", "XX000", ""})
    void constraintDataSyntaxAuthAndInternalStatesArePermanent(String state) {
        assertThat(SqlErrors.isTransient(new SQLException("failed", state))).isFalse();
        assertThat(SqlErrors.isTransient(new CompletionException(new SQLException("failed", state)))).isFalse();
    }

    /** The pool's failure when no connection comes within its timeout carries the last connection failure's state. */
    @Test
    void aPoolTimeoutIsTransientWhateverItsState() {
        SQLTransientConnectionException timeout = new SQLTransientConnectionException(
                "vigil-db - Connection is not available, request timed out after 5000ms", "28P01");

        assertThat(SqlErrors.transientCause(timeout)).isSameAs(timeout);
        assertThat(SqlErrors.transientCause(new CompletionException(timeout))).isSameAs(timeout);
        assertThat(SqlErrors.isTransient(new SQLTransactionRollbackException("deadlock", "XX000"))).isTrue();
    }

    @Test
    void aConnectionFailureIsFoundUnderItsWrappers() {
        SQLException refused = new SQLException("Connection to 127.0.0.1:5432 refused", "08001");

        assertThat(SqlErrors.transientCause(new CompletionException(refused))).isSameAs(refused);
        assertThat(SqlErrors.transientCause(new RuntimeException(new VertxException(refused)))).isSameAs(refused);
        assertThat(SqlErrors.transientCause(new SQLException("statement failed", "XX000", refused)))
                .as("under a permanent-looking SQLException").isSameAs(refused);
    }

    /** The first transient exception is the one reported: the outermost that explains the failure. */
    @Test
    void theOutermostTransientCauseIsReturned() {
        SQLException io = new SQLException("I/O error", "08006", new IOException("Connection reset"));
        SQLTransientConnectionException timeout = new SQLTransientConnectionException("timed out", "08001", io);

        assertThat(SqlErrors.transientCause(new CompletionException(timeout))).isSameAs(timeout);
    }

    @Test
    void aBugOrNothingIsNotTransient() {
        assertThat(SqlErrors.transientCause(new IllegalStateException("a bug"))).isNull();
        assertThat(SqlErrors.transientCause(new RuntimeException(new IOException("disk full")))).isNull();
        assertThat(SqlErrors.transientCause(null)).isNull();
        assertThat(SqlErrors.isTransient(null)).isFalse();
    }

    @Test
    void aCauseChainThatLoopsEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);

        assertThat(SqlErrors.transientCause(a)).isNull();
    }

    /** Past the bound the search gives up: a chain that deep is not a wrapped database failure. */
    @Test
    void aCauseBeyondTheBoundIsNotSearched() {
        Throwable near = new SQLException("refused", "08001");
        for (int i = 0; i < 31; i++) {
            near = new RuntimeException(near);
        }
        Throwable far = new RuntimeException(near);

        assertThat(SqlErrors.isTransient(near)).isTrue();
        assertThat(SqlErrors.isTransient(far)).isFalse();
    }
}
