package org.vigil.chronic.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.vigil.chronic.followup.FollowUpType;
import org.vigil.chronic.indicator.Indicator;
import org.vigil.chronic.indicator.Indicators;
import org.vigil.chronic.store.IndicatorStore;
import org.vigil.common.db.Database;
import org.vigil.common.testing.TestPostgres;

/**
 * Times the panel indicators of a county (100,000 patients, a year of follow-ups, status spells, day counts and
 * alerts) for the county, a township and a village doctor: the store's five queries plus the computation, as
 * {@code GET /indicators} runs them. Seeds an embedded PostgreSQL from docs/bench; prints the times of three runs.
 * Run from the repository root (docs/performance.md, Chronic care at county scale).
 */
public final class IndicatorBench {

    private IndicatorBench() {
    }

    public static void main(String[] args) throws Exception {
        Path docs = Path.of(args.length > 0 ? args[0] : "docs/bench");
        try (Database database = Database.open(TestPostgres.newDatabase())) {
            long seed = System.nanoTime();
            // A connection of its own: the pool's read timeout is shorter than the seeding takes.
            java.util.Properties login = new java.util.Properties();
            login.setProperty("user", "postgres");
            login.setProperty("password", "");
            login.setProperty("socketTimeout", "0");
            try (Connection c = java.sql.DriverManager.getConnection(database.jdbcUrl(), login);
                    Statement s = c.createStatement()) {
                s.execute(Files.readString(docs.resolve("county-registry-seed.sql")));
                s.execute(Files.readString(docs.resolve("county-chronic-seed.sql")));
            }
            System.out.printf("seeded in %d s%n", (System.nanoTime() - seed) / 1_000_000_000);
            long county;
            long township;
            long villageDoctor;
            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
                county = one(s, "SELECT id FROM organisation WHERE tier = 'county'");
                township = one(s, "SELECT min(id) FROM organisation WHERE tier = 'township'");
                villageDoctor = one(s, "SELECT min(d.id) FROM doctor d JOIN organisation o ON o.id = d.organisation_id"
                        + " WHERE o.tier = 'village'");
                for (String table : List.of("follow_up", "control_status", "measurement_month", "alert", "contract")) {
                    System.out.printf("%s: %d rows%n", table, one(s, "SELECT count(*) FROM " + table));
                }
            }
            IndicatorStore store = new IndicatorStore(database.dataSource());
            LocalDate from = LocalDate.of(2025, 12, 1);
            LocalDate to = LocalDate.of(2026, 11, 30);
            Instant now = Instant.parse("2026-12-05T00:00:00Z");
            ZoneId zone = ZoneId.of("Asia/Shanghai");
            Set<FollowUpType> standard = Set.of(FollowUpType.FACE_TO_FACE, FollowUpType.HOME_VISIT);
            record Subject(String label, IndicatorStore.Subject kind, long id, Long scope) {
            }
            for (Subject subject : List.of(new Subject("county (admin)", IndicatorStore.Subject.ORGANISATION, county, null),
                    new Subject("township (admin)", IndicatorStore.Subject.ORGANISATION, township, null),
                    new Subject("village doctor (her own scope)", IndicatorStore.Subject.DOCTOR, villageDoctor, villageDoctor))) {
                StringBuilder times = new StringBuilder();
                List<Indicator> result = List.of();
                for (int run = 0; run < 3; run++) {
                    long start = System.nanoTime();
                    IndicatorStore.Facts facts = store.gather(subject.kind(), subject.id(), from, to, now, zone,
                            subject.scope(), standard);
                    result = Indicators.compute(from, to, 4, facts.patients(), facts.alerts());
                    times.append(run == 0 ? "" : ", ").append((System.nanoTime() - start) / 1_000_000).append(" ms");
                }
                Indicator bp = result.stream().filter(i -> i.id().equals("bp_control_rate")).findFirst().orElseThrow();
                System.out.printf("%s: %s (bp_control_rate %d/%d)%n", subject.label(), times, bp.numerator(),
                        bp.denominator());
            }
        }
    }

    private static long one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
