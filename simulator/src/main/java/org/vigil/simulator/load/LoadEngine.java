package org.vigil.simulator.load;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices of a run spread over lanes, with the client that carries them: Vert.x MQTT clients on a few
 * event loops (one lane per loop, tens of thousands of connections), or Paho clients driven from a single
 * pacer thread (one lane, realistic client behaviour, up to 2000 devices).
 *
 * <p>Methods are called from the run's thread; each hops onto the lanes' threads and waits, with a bound.
 */
public final class LoadEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadEngine.class);

    /** Which MQTT client carries the devices. */
    public enum Client {
        /** Eclipse Paho, a thread-per-client library: realistic, at most 2000 devices. */
        PAHO,
        /** Vert.x MQTT client on shared event loops: tens of thousands of connections. */
        VERTX
    }

    /**
     * How the initial connection of every device went.
     *
     * @param connected     devices connected
     * @param failed        devices that could not connect
     * @param firstFailure  the first failure, naming the device; null when none failed
     * @param elapsed       how long connecting took
     */
    public record ConnectResult(int connected, int failed, String firstFailure, Duration elapsed) {
    }

    private final List<Lane> lanes;
    /** Every device's state by its index; device {@code i} is dealt to lane {@code i % lanes.size()}. */
    private final List<DeviceState> devices;
    private final Runnable closer;

    private LoadEngine(List<Lane> lanes, List<DeviceState> devices, Runnable closer) {
        this.lanes = List.copyOf(lanes);
        this.devices = List.copyOf(devices);
        this.closer = closer;
    }

    /**
     * Vert.x MQTT clients, one lane per event loop of {@code vertx} (deploys a verticle per lane to pin each to
     * its own loop).
     *
     * @param localAddresses  source addresses to spread connections over (each gives another ~28,000 ephemeral
     *                        ports towards one server port); empty for the system's choice
     */
    public static LoadEngine vertx(Vertx vertx, int loops, List<DeviceSpec> devices, LinkSettings settings,
            Traffic traffic, List<String> localAddresses) throws InterruptedException {
        List<Context> contexts = Collections.synchronizedList(new ArrayList<>());
        String deployment = await(vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                contexts.add(context);
                return Future.succeededFuture();
            }
        }, new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture(), "deploy lanes");
        List<LaneStats> stats = new ArrayList<>();
        List<List<DeviceState>> perLane = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            stats.add(new LaneStats(false));
            perLane.add(new ArrayList<>());
        }
        List<DeviceState> states = new ArrayList<>(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            DeviceSpec s = devices.get(i);
            int lane = i % loops;
            String local = localAddresses.isEmpty() ? null : localAddresses.get(i % localAddresses.size());
            DeviceLink link = new VertxLink(vertx, settings, s.serial(), s.secret(), s.clientId(), local, stats.get(lane));
            DeviceState state = state(i, s, link, traffic);
            states.add(state);
            perLane.get(lane).add(state);
        }
        List<Lane> lanes = new ArrayList<>();
        List<Long> timers = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < loops; i++) {
            Context ctx = contexts.get(i);
            Lane lane = new Lane(i, loops, perLane.get(i), traffic, stats.get(i), task -> ctx.runOnContext(v -> task.run()));
            lanes.add(lane);
            ctx.runOnContext(v -> timers.add(vertx.setPeriodic(Lane.TICK_MILLIS, id -> lane.tick())));
        }
        Runnable closer = () -> {
            timers.forEach(vertx::cancelTimer);
            try {
                await(vertx.undeploy(deployment).toCompletionStage().toCompletableFuture(), "undeploy lanes");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.debug("Undeploy failed: {}", e.toString());
            }
        };
        return new LoadEngine(lanes, states, closer);
    }

    /** Paho clients, one lane on a pacer thread. */
    public static LoadEngine paho(List<DeviceSpec> devices, String serverUri, LinkSettings settings, Traffic traffic) {
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("sim-pacer"));
        ScheduledExecutorService pings = Executors.newSingleThreadScheduledExecutor(Threads.daemon("sim-ping"));
        LaneStats stats = new LaneStats(true);
        List<DeviceState> states = new ArrayList<>(devices.size());
        List<PahoLink> links = new ArrayList<>(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            DeviceSpec s = devices.get(i);
            PahoLink link = new PahoLink(s.serial(), s.secret(), s.clientId(), serverUri, settings, pings, pacer, stats);
            links.add(link);
            states.add(state(i, s, link, traffic));
        }
        Lane lane = new Lane(0, 1, states, traffic, stats, pacer);
        pacer.scheduleAtFixedRate(lane::tick, 0, Lane.TICK_MILLIS, TimeUnit.MILLISECONDS);
        Runnable closer = () -> {
            pacer.shutdownNow();
            links.forEach(PahoLink::close);
            pings.shutdownNow();
        };
        return new LoadEngine(List.of(lane), states, closer);
    }

    private static DeviceState state(int index, DeviceSpec s, DeviceLink link, Traffic traffic) {
        SplittableRandom random = new SplittableRandom(s.seed());
        long skew = 0;
        if (traffic.behaviours().skewedShare() > 0 && random.nextDouble() < traffic.behaviours().skewedShare()) {
            long max = traffic.behaviours().maxSkew().toMillis();
            skew = max == 0 ? 0 : random.nextLong(-max, max + 1);
        }
        return new DeviceState(index, s.serial(), s.type(), s.physiology(), random, link, skew, s.qos());
    }

    /** The lanes' counters, for the progress and the report. */
    public List<LaneStats> stats() {
        return lanes.stream().map(l -> l.stats).toList();
    }

    /** Number of devices. */
    public int size() {
        return devices.size();
    }

    /** Connects every device at the configured rate and reports how it went; does not throw on failures. */
    public ConnectResult connectAll(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        List<CompletableFuture<Void>> phases = new ArrayList<>();
        for (Lane lane : lanes) {
            CompletableFuture<Void> phase = new CompletableFuture<>();
            lane.execute(() -> lane.connectAll().whenComplete((v, e) -> phase.complete(null)));
            phases.add(phase);
        }
        try {
            CompletableFuture.allOf(phases.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Connecting did not finish within {} s", timeout.toSeconds());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        long connected = stats().stream().mapToLong(s -> s.connected.sum()).sum();
        String first = null;
        for (Lane lane : lanes) {
            String f = lane.call(lane::firstConnectFailure);
            if (first == null) {
                first = f;
            }
        }
        return new ConnectResult((int) connected, size() - (int) connected, first, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Scenario hooks on one device; see {@link ScenarioDriver}. */
    public ScenarioDriver scenarioDriver(int index) {
        return new ScenarioDriver(lanes.get(index % lanes.size()), devices.get(index));
    }

    /** Starts publishing on every lane at one common instant, which it returns ({@link System#nanoTime()}). */
    public long start() throws InterruptedException {
        long start = System.nanoTime() + 5_000_000L;
        for (Lane lane : lanes) {
            lane.call(() -> {
                lane.start(start);
                return null;
            });
        }
        return start;
    }

    /**
     * Waits until every lane has finished publishing (duration or message limit reached), at most
     * {@code max}; returns the length of the publishing phase.
     */
    public Duration awaitFinished(Duration max) throws InterruptedException {
        long length = 0;
        long deadline = System.nanoTime() + max.toNanos();
        for (Lane lane : lanes) {
            try {
                length = Math.max(length, lane.finished().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                LOG.warn("Lane {} did not finish in time; stopping it", lane.index);
            } catch (ExecutionException e) {
                throw new IllegalStateException("lane " + lane.index + " failed: " + e.getCause(), e.getCause());
            }
        }
        return Duration.ofNanos(length);
    }

    /** Stops publishing and reconnecting on every lane. */
    public void stop() throws InterruptedException {
        for (Lane lane : lanes) {
            lane.call(() -> {
                lane.stop();
                return null;
            });
        }
    }

    /** QoS 1 messages sent and not yet acknowledged, across lanes. */
    public long inFlight() {
        return stats().stream().mapToLong(s -> s.inFlight.sum()).sum();
    }

    /** Disconnects every device (what is still in flight is counted unacknowledged), then releases the client. */
    @Override
    public void close() {
        for (Lane lane : lanes) {
            try {
                lane.call(() -> {
                    lane.disconnectAll();
                    return null;
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.debug("Disconnect on lane {} failed: {}", lane.index, e.toString());
            }
        }
        closer.run();
    }

    private static <T> T await(CompletableFuture<T> f, String what) throws InterruptedException {
        return Threads.await(f, what, Lane.CALL_TIMEOUT);
    }
}
