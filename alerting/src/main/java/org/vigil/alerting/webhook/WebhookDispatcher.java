package org.vigil.alerting.webhook;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.config.Backoff;
import org.vigil.alerting.config.WebhookConfig;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.WebhookStore;
import org.vigil.common.bus.Addresses;

/**
 * Delivers the webhook outbox: each organisation's rows by HTTP POST, strictly in outbox id order.
 *
 * <p><b>Guarantee.</b> At least once, with a delivery id. A row is marked delivered only after its receiver
 * answered 2xx, so a crash, a lost response or a failed database write after the answer means the row is sent
 * again. {@code Vigil-Delivery} (the outbox id) is the same on every attempt: a receiver that deduplicates by it
 * sees each event exactly once; one that does not sees an event twice only when a response was lost after it had
 * processed the request.
 *
 * <p><b>Order.</b> Head of line per organisation: a row is sent only after every earlier row of its organisation
 * was delivered. A failure (refused connection, timeout, any non-2xx answer) ends the run for that organisation
 * and reschedules the head with {@link Backoff}; the rows behind it wait. Organisations are independent: one
 * receiver being down delays nobody else.
 *
 * <p><b>Several nodes.</b> A queue is worked under a lease on its webhook row ({@link WebhookStore#claim}), renewed
 * with every result, so two nodes never deliver the same organisation at once. No database connection is held
 * while a receiver is called.
 *
 * <p><b>Threading.</b> All state lives on this verticle's event loop; JDBC runs on workers. The outbox is polled
 * every {@link WebhookConfig#poll()} and at once when an alert changes ({@link Addresses#ALERT_CHANGED} is
 * published after the transition, and so its outbox rows, committed).
 */
public final class WebhookDispatcher extends VerticleBase {

    public static final String EVENT_HEADER = "Vigil-Event";
    public static final String DELIVERY_HEADER = "Vigil-Delivery";
    public static final String SIGNATURE_HEADER = "Vigil-Signature";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** Organisation queues one node works at once; each sends one request at a time. */
    private static final int MAX_QUEUES = 32;
    /** Rows read per claim; a longer queue is claimed again at once. */
    private static final int BATCH = 100;
    /** The lease outlives one request (bounded by the timeout) by this much, for the database write around it. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);
    private static final int PURGE_LIMIT = 10_000;
    private static final int ERROR_BODY_MAX = 200;

    private final WebhookStore store;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final WebhookConfig config;
    private final Duration lease;
    private final Set<Long> working = new HashSet<>();
    private String owner;
    private HttpClient client;
    private MessageConsumer<JsonObject> wakeUps;
    private long poller = -1;
    private boolean polling;
    private boolean pollAgain;
    private boolean stopping;
    private Instant nextPurge = Instant.MIN;

    public WebhookDispatcher(WebhookStore store, AlertingMetrics metrics, Clock clock, WebhookConfig config) {
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
        this.lease = config.timeout().plus(LEASE_MARGIN);
    }

    @Override
    public Future<?> start() {
        // Names this instance's leases; a restarted node is a new owner and waits out its old leases.
        owner = "dispatcher-" + UUID.randomUUID();
        long timeoutMs = config.timeout().toMillis();
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeoutMs).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(MAX_QUEUES));
        wakeUps = vertx.eventBus().consumer(Addresses.ALERT_CHANGED, msg -> poll(false));
        poller = vertx.setPeriodic(config.poll().toMillis(), id -> poll(true));
        poll(true);
        return wakeUps.completion();
    }

    private record Polled(List<WebhookStore.Claim> claims, Long backlog) {
    }

    /**
     * Claims what is due, up to the free queue slots. Only one poll runs at a time; a wake-up meanwhile runs
     * another right after it, so nothing committed during a poll waits for the next tick.
     */
    private void poll(boolean tick) {
        if (stopping) {
            return;
        }
        if (polling) {
            pollAgain = true;
            return;
        }
        polling = true;
        int free = MAX_QUEUES - working.size();
        Instant now = clock.instant();
        boolean purge = tick && !now.isBefore(nextPurge);
        vertx.executeBlocking(() -> {
            List<WebhookStore.Claim> claims = free > 0 ? store.claim(owner, now, now.plus(lease), free, BATCH) : List.of();
            if (purge) {
                int purged = store.purge(now.minus(config.retention()), PURGE_LIMIT);
                if (purged > 0) {
                    LOG.debug("Purged {} delivered webhook rows older than {}", purged, config.retention());
                }
            }
            // Counting on ticks only keeps wake-ups cheap under a burst of alerts.
            return new Polled(claims, tick ? store.backlog() : null);
        }, false).onComplete(ar -> {
            polling = false;
            if (ar.succeeded()) {
                if (purge) {
                    nextPurge = now.plus(PURGE_EVERY);
                }
                if (ar.result().backlog() != null) {
                    metrics.webhookBacklog(ar.result().backlog());
                }
                for (WebhookStore.Claim claim : ar.result().claims()) {
                    working.add(claim.organisationId());
                    deliver(claim, 0);
                }
            } else {
                LOG.warn("Cannot read the webhook outbox, trying again in {}: {}", config.poll(), ar.cause().toString());
            }
            if (pollAgain) {
                pollAgain = false;
                poll(false);
            }
        });
    }

    private void deliver(WebhookStore.Claim claim, int index) {
        if (stopping || index == claim.rows().size()) {
            // A full batch means more may be waiting behind it.
            finish(claim, !stopping && index == BATCH);
            return;
        }
        WebhookStore.Pending row = claim.rows().get(index);
        send(claim, row).onComplete(ar -> {
            Instant now = clock.instant();
            if (ar.succeeded()) {
                metrics.webhookDelivered();
                LOG.debug("Webhook delivered [organisation: {}, delivery: {}, event: {}]", claim.organisationId(),
                        row.id(), row.event());
                vertx.executeBlocking(() -> store.delivered(owner, claim.organisationId(), row.id(), now, now.plus(lease)),
                        false).onComplete(recorded -> {
                            if (recorded.succeeded() && recorded.result()) {
                                deliver(claim, index + 1);
                            } else {
                                if (recorded.failed()) {
                                    // It will be sent again: at least once, never lost.
                                    LOG.warn("Cannot record webhook delivery {} [organisation: {}]: {}", row.id(),
                                            claim.organisationId(), recorded.cause().toString());
                                } else {
                                    LOG.warn("Lost the lease of webhook queue [organisation: {}] while delivering",
                                            claim.organisationId());
                                }
                                finish(claim, false);
                            }
                        });
                return;
            }
            metrics.webhookFailed();
            String error = describe(ar.cause());
            int failures = row.attempts() + 1;
            Duration delay = config.backoff().after(failures);
            LOG.warn("Webhook delivery failed, retrying in {} ms [organisation: {}, delivery: {}, attempts: {}]: {}",
                    delay.toMillis(), claim.organisationId(), row.id(), failures, error);
            vertx.executeBlocking(() -> {
                store.failed(owner, row.id(), now.plus(delay), error);
                return null;
            }, false).onFailure(e -> LOG.warn("Cannot record failed webhook delivery {} [organisation: {}]: {}",
                    row.id(), claim.organisationId(), e.toString()))
                    .onComplete(v -> {
                        finish(claim, false);
                        // Retry when due rather than on the first poll after it: a backoff shorter than the poll
                        // interval is honoured, and a long poll interval does not stretch the schedule.
                        if (!stopping) {
                            vertx.setTimer(Math.max(1, delay.toMillis()), t -> poll(false));
                        }
                    });
        });
    }

    /** Gives the queue back; an unreleased lease (database away) simply runs out. */
    private void finish(WebhookStore.Claim claim, boolean more) {
        vertx.executeBlocking(() -> {
            store.release(owner, claim.organisationId());
            return null;
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Cannot release webhook queue [organisation: {}]; it is free again in {}: {}",
                        claim.organisationId(), lease, ar.cause().toString());
            }
            working.remove(claim.organisationId());
            if (more) {
                poll(false);
            }
        });
    }

    /** A receiver's answer other than 2xx. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * POSTs one row. Succeeds on a 2xx answer; fails with {@link Refused} on any other answer, and with the cause
     * when no answer came (refused connection, reset, timeout).
     */
    private Future<Void> send(WebhookStore.Claim claim, WebhookStore.Pending row) {
        Buffer body = Buffer.buffer(row.body());
        RequestOptions options;
        try {
            options = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setAbsoluteURI(claim.url())
                    .setConnectTimeout(config.timeout().toMillis())
                    .putHeader("Content-Type", "application/json")
                    .putHeader(EVENT_HEADER, row.event())
                    .putHeader(DELIVERY_HEADER, Long.toString(row.id()))
                    .putHeader(SIGNATURE_HEADER, WebhookSignature.sign(claim.secret(), body.getBytes()));
        } catch (RuntimeException e) {
            // The API validates addresses; one set by hand in the database may still be unusable.
            return Future.failedFuture(e);
        }
        Promise<Void> outcome = Promise.promise();
        // One deadline for the whole exchange: connecting, sending, and the complete answer.
        long deadline = vertx.setTimer(config.timeout().toMillis(),
                t -> outcome.tryFail(new TimeoutException("no answer within " + config.timeout().toMillis() + " ms")));
        client.request(options)
                .compose(request -> {
                    outcome.future().onFailure(e -> request.reset());
                    return request.send(body);
                })
                .compose(this::answer)
                .onComplete(ar -> {
                    vertx.cancelTimer(deadline);
                    if (ar.succeeded()) {
                        outcome.tryComplete(ar.result());
                    } else {
                        outcome.tryFail(ar.cause());
                    }
                });
        return outcome.future();
    }

    /** Reads the answer to its end (so the connection can be reused), keeping the start of an error body. */
    private Future<Void> answer(HttpClientResponse response) {
        int status = response.statusCode();
        boolean ok = status >= 200 && status < 300;
        Buffer start = Buffer.buffer();
        response.handler(chunk -> {
            if (!ok && start.length() < ERROR_BODY_MAX) {
                start.appendBuffer(chunk.getBuffer(0, Math.min(chunk.length(), ERROR_BODY_MAX - start.length())));
            }
        });
        return response.end().compose(v -> {
            if (ok) {
                return Future.succeededFuture();
            }
            String text = start.toString().strip();
            return Future.failedFuture(new Refused("HTTP " + status + (text.isEmpty() ? "" : ": " + text)));
        });
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        if (failure instanceof Refused) {
            return message;
        }
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        if (poller >= 0) {
            vertx.cancelTimer(poller);
        }
        Future<Void> unregistered = wakeUps == null ? Future.succeededFuture() : wakeUps.unregister();
        long deadline = System.nanoTime() + config.timeout().plus(Duration.ofSeconds(5)).toNanos();
        return unregistered.compose(v -> drained(deadline)).compose(v -> client.close());
    }

    /** Lets requests in flight finish and their results be recorded, for a bounded time. */
    private Future<Void> drained(long deadline) {
        if ((working.isEmpty() && !polling) || System.nanoTime() > deadline) {
            if (!working.isEmpty()) {
                LOG.warn("Stopping with {} webhook queues still working; their leases run out", working.size());
            }
            return Future.succeededFuture();
        }
        return vertx.timer(20).compose(v -> drained(deadline));
    }
}
