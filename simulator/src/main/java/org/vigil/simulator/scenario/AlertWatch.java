package org.vigil.simulator.scenario;

import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.vigil.simulator.load.Threads;
import org.vigil.simulator.registry.SimulatedDevice;

/**
 * A run's watch on the doctors' alert feeds ({@link AlertFeeds}), or no watch at all when feeds are off:
 * then every wait returns at once and no event is ever seen, so the run needs no case of its own. Both waits
 * poll with a bound, since the feeds announce neither that they are all live nor that the scenarios are
 * settled.
 */
public final class AlertWatch implements AutoCloseable {

    private static final Duration FEEDS_WAIT = Duration.ofSeconds(10);
    /** An alert the scenarios did not expect, right behind the last one, should be seen too. */
    private static final long AFTER_SETTLED_MILLIS = 500;

    private final AlertFeeds feeds;
    private final Consumer<String> phases;

    private AlertWatch(AlertFeeds feeds, Consumer<String> phases) {
        this.feeds = feeds;
        this.phases = phases;
    }

    /** No feeds: nothing to wait for, no events. */
    public static AlertWatch none() {
        return new AlertWatch(null, message -> { });
    }

    /**
     * Opens the feed of every doctor the devices' patients belong to.
     *
     * @param api     the Vigil REST API
     * @param token   admin token
     * @param phases  told how many feeds are live
     */
    public static AlertWatch open(Vertx vertx, URI api, String token, List<SimulatedDevice> devices, Consumer<String> phases) {
        Set<Long> doctors = new LinkedHashSet<>();
        devices.forEach(d -> {
            if (d.doctorId() > 0) {
                doctors.add(d.doctorId());
            }
        });
        AlertFeeds feeds = new AlertFeeds(vertx, api, token, doctors.size());
        feeds.open(doctors);
        return new AlertWatch(feeds, phases);
    }

    /** Waits, at most 10 s, until every feed has answered, and says how many did. */
    public void awaitLive() throws InterruptedException {
        if (feeds == null) {
            return;
        }
        Threads.pollUntil(() -> feeds.liveFeeds() >= feeds.requested(), System.nanoTime() + FEEDS_WAIT.toNanos(), 50);
        phases.accept("Listening to " + feeds.liveFeeds() + " of " + feeds.requested() + " doctors' alert feeds");
    }

    /**
     * Waits, at most {@code max}, until every scenario has its alert (see {@link ScenarioJudge#settled}), then
     * a moment more for alerts right behind.
     *
     * @param waiting  run once before waiting, if the scenarios are not settled yet
     */
    public void awaitSettled(List<ScenarioRun> scenarios, Duration max, Runnable waiting) throws InterruptedException {
        if (feeds == null || scenarios.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + max.toNanos();
        if (!ScenarioJudge.settled(scenarios, feeds.events()) && System.nanoTime() < deadline) {
            waiting.run();
            Threads.pollUntil(() -> ScenarioJudge.settled(scenarios, feeds.events()), deadline, 200);
        }
        Thread.sleep(AFTER_SETTLED_MILLIS);
    }

    /** Every alert event received so far, in arrival order; none without feeds. */
    public List<AlertEvent> events() {
        return feeds == null ? List.of() : feeds.events();
    }

    /** How many alert events have been received so far. */
    public int eventCount() {
        return feeds == null ? 0 : feeds.events().size();
    }

    @Override
    public void close() {
        if (feeds != null) {
            feeds.close();
        }
    }
}
