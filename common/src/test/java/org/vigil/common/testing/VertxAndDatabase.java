package org.vigil.common.testing;

import io.vertx.core.Vertx;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.vigil.common.db.Database;

/**
 * A Vert.x instance and a database of its own (migrated, on the shared test PostgreSQL) for one test class of the
 * parts that run on an event loop and write through JDBC; both closed after the class.
 */
public final class VertxAndDatabase implements BeforeAllCallback, AfterAllCallback {

    private Database database;
    private Vertx vertx;

    @Override
    public void beforeAll(ExtensionContext context) {
        database = Database.open(TestPostgres.newDatabase());
        vertx = Vertx.vertx();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (vertx != null) {
            vertx.close().await();
        }
        if (database != null) {
            database.close();
        }
    }

    public Vertx vertx() {
        return vertx;
    }

    public DataSource dataSource() {
        return database.dataSource();
    }
}
