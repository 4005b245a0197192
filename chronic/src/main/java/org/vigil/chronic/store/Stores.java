package org.vigil.chronic.store;

import java.util.Objects;
import javax.sql.DataSource;

/** The chronic module's stores over one data source, handed to its verticles and handlers together. */
public record Stores(CareStore care, StatusStore status, FollowUpStore followUps, GradeStore grades,
        SweepClaims sweeps) {

    public Stores {
        Objects.requireNonNull(care, "care");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(followUps, "followUps");
        Objects.requireNonNull(grades, "grades");
        Objects.requireNonNull(sweeps, "sweeps");
    }

    public static Stores of(DataSource dataSource) {
        return new Stores(new CareStore(dataSource), new StatusStore(dataSource), new FollowUpStore(dataSource),
                new GradeStore(dataSource), new SweepClaims(dataSource));
    }
}
