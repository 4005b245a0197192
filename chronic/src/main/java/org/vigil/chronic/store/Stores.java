package org.vigil.chronic.store;

import javax.sql.DataSource;

/** The chronic module's stores over one data source, handed to its verticles and handlers together. */
public record Stores(CareStore care, StatusStore status, FollowUpStore followUps, GradeStore grades,
        SweepClaims sweeps) {

    public static Stores of(DataSource dataSource) {
        return new Stores(new CareStore(dataSource), new StatusStore(dataSource), new FollowUpStore(dataSource),
                new GradeStore(dataSource), new SweepClaims(dataSource));
    }
}
