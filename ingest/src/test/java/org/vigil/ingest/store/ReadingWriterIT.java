package org.vigil.ingest.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.bus.LogStreams;
import org.vigil.common.db.Database;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.testing.Poll;
import org.vigil.common.testing.TestPostgres;
import org.vigil.ingest.metrics.IngestMetrics;
import org.vigil.ingest.metrics.MicrometerIngestMetrics;

/** The batched writer against a real PostgreSQL with Vigil's schema. */
@Timeout(60)
class ReadingWriterIT {

    private static final long NOW = Instant.now().toEpochMilli();
    /** Counts into a registry nobody reads: these tests look at the database, not at the counters. */
    private static final IngestMetrics UNCOUNTED = new MicrometerIngestMetrics(new SimpleMeterRegistry(), () -> 0);
    private static Database database;

    private final List<Reading> stored = new CopyOnWriteArrayList<>();
    private final List<long[]> batches = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void openDatabase() throws SQLException {
        database = Database.open(TestPostgres.newDatabase());
        try (Connection c = database.dataSource().getConnection()) {
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            ReadingPartitions.ensure(c, today.minusDays(2), today.plusDays(1));
        }
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
    }

    @BeforeEach
    void emptyTable() throws SQLException {
        execute("TRUNCATE reading");
    }

    private ReadingWriter writer(ReadingWriter.ConnectionFactory connections) {
        ReadingWriter writer = new ReadingWriter(connections, "test-node", 2, 1000, 500, UNCOUNTED, handedOver());
        writer.start();
        return writer;
    }

    /** A writer of one thread, not yet started: what is submitted before {@code start()} lands in one batch. */
    private ReadingWriter oneThread(ReadingWriter.ConnectionFactory connections, IngestMetrics metrics) {
        return new ReadingWriter(connections, "test-node", 1, 1000, 500, metrics, handedOver());
    }

    /** Stores one message through a writer opened and closed for it. */
    private void storeAlone(long deviceId, List<Reading> message) throws Exception {
        try (ReadingWriter writer = writer(directConnections())) {
            store(writer, deviceId, message);
        }
    }

    /** Keeps what the writer hands over: the readings, and each batch's stream and last position. */
    private ReadingWriter.StoredListener handedOver() {
        return (stream, last, readings) -> {
            stored.addAll(readings);
            batches.add(new long[] {stream, last, readings.size()});
        };
    }

    @Test
    void committedReadingsAreNumberedInAStreamWhoseLockLivesAsLongAsItsWriter() throws Exception {
        long stream;
        try (ReadingWriter writer = oneThread(directConnections(), UNCOUNTED)) {
            writer.start();
            for (int m = 0; m < 3; m++) {
                assertThat(submit(writer, 4, readings(4, 2, NOW - 600_000 + m * 10_000L)).get(20, TimeUnit.SECONDS))
                        .isNull();
            }
            stream = batches.get(0)[0];
            assertThat(batches).extracting(b -> b[0]).containsOnly(stream);
            assertThat(batches.get(batches.size() - 1)[1]).as("last position handed over")
                    .isEqualTo(LogStreams.streamStart(stream) + 6);
            assertThat(count("SELECT count(*) FROM reading_stream WHERE id = " + stream + " AND node = 'test-node'"))
                    .isEqualTo(1);
            assertThat(count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
                    + LogStreams.LOCK_CLASS + " AND objid = " + stream + " AND granted"))
                    .as("the writer holds its stream's lock").isEqualTo(1);
        }
        assertThat(count("SELECT min(log_pos) - " + LogStreams.streamStart(stream) + " FROM reading WHERE device_id = 4"))
                .isEqualTo(1);
        assertThat(count("SELECT max(log_pos) - " + LogStreams.streamStart(stream) + " FROM reading WHERE device_id = 4"))
                .isEqualTo(6);
        assertThat(count("SELECT count(DISTINCT log_pos) FROM reading WHERE device_id = 4")).isEqualTo(6);
        // The server ends a closed connection's backend, and with it the lock, a moment after the client closes.
        String held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
                + LogStreams.LOCK_CLASS + " AND objid = " + stream;
        Poll.upTo(Duration.ofSeconds(10), () -> count(held) == 0);
        assertThat(count(held)).as("a closed writer's stream is free: nothing will be added to it").isZero();
    }

    private static CompletableFuture<Throwable> submit(ReadingWriter writer, long deviceId, List<Reading> readings) {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        assertThat(writer.submit(deviceId, readings, done::complete)).isTrue();
        return done;
    }

    /** Submits the batch and waits until the writer reports it stored. */
    private static void store(ReadingWriter writer, long deviceId, List<Reading> readings) throws Exception {
        assertThat(submit(writer, deviceId, readings).get(20, TimeUnit.SECONDS)).isNull();
    }

    private static List<Reading> readings(long deviceId, int count, long firstTs) {
        List<Reading> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new Reading(deviceId, 100 + deviceId, Metric.HEART_RATE, firstTs + i * 1000L, 60 + i % 40));
        }
        return list;
    }

    @Test
    void everyCompletedMessageIsInTheTableInItsDailyPartition() throws Exception {
        try (ReadingWriter writer = writer(directConnections())) {
            List<CompletableFuture<Throwable>> done = new ArrayList<>();
            for (int device = 1; device <= 20; device++) {
                for (int m = 0; m < 10; m++) {
                    done.add(submit(writer, device, readings(device, 5, NOW - 3_600_000 + m * 10_000L)));
                }
            }
            for (CompletableFuture<Throwable> d : done) {
                assertThat(d.get(20, TimeUnit.SECONDS)).isNull();
            }
        }
        assertThat(count("SELECT count(*) FROM reading")).isEqualTo(20 * 10 * 5);
        assertThat(count("SELECT count(*) FROM reading_default")).as("nothing fell into the default partition").isZero();
        assertThat(stored).hasSize(1000);
    }

    /**
     * Verifies that a steady trickle, a message every 2 ms, is committed in a few large transactions when the
     * writer may linger, where pure group commit writes nearly one transaction per message.
     */
    @Test
    void aSteadyTrickleIsCommittedInFewTransactionsWhenTheWriterMayLinger() throws Exception {
        int messages = 200;
        try (ReadingWriter writer = new ReadingWriter(directConnections(), "test-node", 1, 1000, 500,
                Duration.ofMillis(100), UNCOUNTED, handedOver())) {
            writer.start();
            List<CompletableFuture<Throwable>> done = new ArrayList<>();
            long next = System.nanoTime();
            for (int m = 0; m < messages; m++) {
                done.add(submit(writer, 9, readings(9, 1, NOW - 600_000 + m * 1_000L)));
                next += TimeUnit.MILLISECONDS.toNanos(2);
                LockSupport.parkNanos(next - System.nanoTime());
            }
            for (CompletableFuture<Throwable> d : done) {
                assertThat(d.get(20, TimeUnit.SECONDS)).isNull();
            }
        }
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 9")).isEqualTo(messages);
        // 400 ms of messages at 100 ms a transaction, give or take the first ones and a loaded machine.
        assertThat(batches).as("transactions").hasSizeLessThanOrEqualTo(12);
    }

    /** Verifies that a glucose reading's context is stored, by the direct COPY and through staging, and NULL otherwise. */
    @Test
    void theMeasurementContextIsStoredOnBothPaths() throws Exception {
        List<Reading> first = List.of(
                new Reading(9, 109, Metric.GLUCOSE, NOW - 50_000, 6.1, org.vigil.common.model.MeasurementContext.FASTING),
                new Reading(9, 109, Metric.HEART_RATE, NOW - 50_000, 72));
        List<Reading> second = List.of(
                new Reading(9, 109, Metric.GLUCOSE, NOW - 40_000, 9.3, org.vigil.common.model.MeasurementContext.AFTER_MEAL));
        storeAlone(9, first);
        try (ReadingWriter writer = oneThread(directConnections(), UNCOUNTED)) {
            // The repeat sends this batch through staging.
            CompletableFuture<Throwable> again = submit(writer, 9, first);
            CompletableFuture<Throwable> fresh = submit(writer, 9, second);
            writer.start();
            assertThat(again.get(20, TimeUnit.SECONDS)).isNull();
            assertThat(fresh.get(20, TimeUnit.SECONDS)).isNull();
        }
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 9 AND metric = 6 AND context = 1")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 9 AND metric = 6 AND context = 3")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 9 AND metric = 3 AND context IS NULL")).isEqualTo(1);
    }

    @Test
    void aRedeliveredMessageIsStoredOnce() throws Exception {
        List<Reading> message = readings(7, 3, NOW - 60_000);
        try (ReadingWriter writer = writer(directConnections())) {
            store(writer, 7, message);
            store(writer, 7, message);
        }
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 7")).isEqualTo(3);
    }

    @Test
    void aBatchHoldingARedeliveryStoresItsNewReadingsAndCountsTheRepeats() throws Exception {
        List<Reading> first = readings(5, 3, NOW - 90_000);
        storeAlone(5, first);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        IngestMetrics metrics = new MicrometerIngestMetrics(meters, () -> 0);
        CompletableFuture<Throwable> again;
        CompletableFuture<Throwable> fresh;
        try (ReadingWriter writer = oneThread(directConnections(), metrics)) {
            // Queued before the writer runs, so both land in one batch and its COPY meets the repeat.
            again = submit(writer, 5, first);
            fresh = submit(writer, 5, readings(5, 4, NOW - 30_000));
            writer.start();
            assertThat(again.get(20, TimeUnit.SECONDS)).isNull();
            assertThat(fresh.get(20, TimeUnit.SECONDS)).isNull();
            // One repeat is no run of them: the next batch tries the direct COPY again.
            store(writer, 5, readings(5, 2, NOW - 10_000));
        }
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 5")).isEqualTo(9);
        assertThat(meters.counter(MicrometerIngestMetrics.READINGS_STORED).count()).isEqualTo(6);
        assertThat(meters.counter(MicrometerIngestMetrics.READINGS_DUPLICATE).count()).isEqualTo(3);
        assertThat(meters.counter(MicrometerIngestMetrics.BATCH_STAGED).count()).isEqualTo(1);
    }

    @Test
    void whileMostBatchesHoldRepeatsTheyGoStraightToStaging() throws Exception {
        List<List<Reading>> sent = new ArrayList<>();
        try (ReadingWriter writer = writer(directConnections())) {
            for (int m = 0; m < 12; m++) {
                List<Reading> message = readings(6, 1, NOW - 600_000 + m * 1000L);
                sent.add(message);
                store(writer, 6, message);
            }
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ReadingWriter writer = oneThread(directConnections(), new MicrometerIngestMetrics(meters, () -> 0))) {
            writer.start();
            // A failover: one batch after another resends what is stored already, each with something new.
            for (int m = 0; m < 11; m++) {
                List<Reading> message = new ArrayList<>(sent.get(m));
                message.addAll(readings(6, 1, NOW - 300_000 + m * 1000L));
                store(writer, 6, message);
            }
            assertThat(meters.counter(MicrometerIngestMetrics.BATCH_STAGED).count()).as("each after a failed COPY")
                    .isEqualTo(11);
            store(writer, 6, readings(6, 1, NOW - 1000));
            assertThat(meters.counter(MicrometerIngestMetrics.BATCH_STAGED).count())
                    .as("most recent batches held repeats, so this one went straight to staging").isEqualTo(12);
        }
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 6")).isEqualTo(12 + 11 + 1);
        assertThat(meters.counter(MicrometerIngestMetrics.READINGS_DUPLICATE).count()).isEqualTo(11);
    }

    @Test
    void everyFieldArrivesExactly() throws Exception {
        long ts = NOW - 12_345;
        Reading r = new Reading(11, 4242, Metric.SPO2, ts, 97.25);
        storeAlone(11, List.of(r));
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT patient_id, metric, (extract(epoch FROM ts) * 1000)::bigint,"
                        + " device_id, value FROM reading")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(4242);
            assertThat(rs.getInt(2)).isEqualTo(Metric.SPO2.code());
            assertThat(rs.getLong(3)).isEqualTo(ts);
            assertThat(rs.getLong(4)).isEqualTo(11);
            assertThat(rs.getDouble(5)).isEqualTo(97.25);
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void aMessageTheDatabaseRejectsFailsAloneAndItsNeighboursAreStored() throws Exception {
        // Far beyond PostgreSQL's timestamp range: the INSERT fails with a data error (SQLSTATE 22xxx).
        List<Reading> poison = List.of(new Reading(3, 103, Metric.SPO2, Long.MAX_VALUE / 2, 95));
        CountingConnections connections = new CountingConnections(0);
        CompletableFuture<Throwable> good1;
        CompletableFuture<Throwable> bad;
        CompletableFuture<Throwable> good2;
        try (ReadingWriter writer = oneThread(connections, UNCOUNTED)) {
            // Queued before the writer runs, so all three land in one batch.
            good1 = submit(writer, 3, readings(3, 2, NOW - 120_000));
            bad = submit(writer, 3, poison);
            good2 = submit(writer, 3, readings(3, 2, NOW - 60_000));
            writer.start();
            assertThat(good1.get(20, TimeUnit.SECONDS)).isNull();
            assertThat(bad.get(20, TimeUnit.SECONDS)).isInstanceOf(SQLException.class);
            assertThat(good2.get(20, TimeUnit.SECONDS)).isNull();
        }
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 3")).isEqualTo(4);
    }

    @Test
    void whileTheDatabaseIsUnreachableMessagesWaitUnacknowledgedAndAreWrittenWhenItReturns() throws Exception {
        CountingConnections connections = new CountingConnections(3);
        try (ReadingWriter writer = writer(connections)) {
            CompletableFuture<Throwable> done = submit(writer, 9, readings(9, 4, NOW - 30_000));
            assertThat(done.get(20, TimeUnit.SECONDS)).isNull();
            assertThat(connections.attempts.get()).as("the writer retried until a connection opened").isGreaterThan(3);
        }
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 9")).isEqualTo(4);
    }

    /**
     * Verifies that a connection failure transient by its type is retried, not taken for bad data: a pool's
     * timeout carries the last connection failure's state, which alone would be permanent.
     */
    @Test
    void aMessageWhoseConnectionTimesOutIsRetriedNotDropped() throws Exception {
        CountingConnections connections = new CountingConnections(1, () -> new SQLTransientConnectionException(
                "vigil-db - Connection is not available, request timed out after 5000ms", "28P01"));
        try (ReadingWriter writer = writer(connections)) {
            CompletableFuture<Throwable> done = submit(writer, 10, readings(10, 4, NOW - 30_000));
            assertThat(done.get(20, TimeUnit.SECONDS)).isNull();
            assertThat(connections.attempts.get()).isEqualTo(2);
        }
        assertThat(count("SELECT count(*) FROM reading WHERE device_id = 10")).isEqualTo(4);
    }

    /** Real connections, after failing the first {@code failures} attempts (by default as an unreachable server). */
    private static final class CountingConnections implements ReadingWriter.ConnectionFactory {
        final AtomicInteger attempts = new AtomicInteger();
        private final int failures;
        private final Supplier<SQLException> failure;

        CountingConnections(int failures) {
            this(failures, () -> new SQLException("Connection refused", "08001"));
        }

        CountingConnections(int failures, Supplier<SQLException> failure) {
            this.failures = failures;
            this.failure = failure;
        }

        @Override
        public Connection open() throws SQLException {
            if (attempts.incrementAndGet() <= failures) {
                throw failure.get();
            }
            return database.newDedicatedConnection();
        }
    }

    private static ReadingWriter.ConnectionFactory directConnections() {
        return database::newDedicatedConnection;
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
