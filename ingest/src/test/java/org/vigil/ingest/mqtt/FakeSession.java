package org.vigil.ingest.mqtt;

import java.util.concurrent.CompletableFuture;

/**
 * A session for tests of {@link DeviceSessions}: it holds its stamp and remembers the newer session it was first
 * told to move away for.
 */
final class FakeSession implements DeviceSessions.Session {

    private final SessionStamp stamp;
    private final CompletableFuture<SessionStamp> movedAway = new CompletableFuture<>();

    FakeSession(SessionStamp stamp) {
        this.stamp = stamp;
    }

    @Override
    public SessionStamp stamp() {
        return stamp;
    }

    @Override
    public void takeOver() {
    }

    @Override
    public void moveAway(SessionStamp newer) {
        movedAway.complete(newer);
    }

    /** Completes with the newer session's stamp once the session is told to move away. */
    CompletableFuture<SessionStamp> movedAway() {
        return movedAway;
    }
}
