package org.vigil.alerting.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.vigil.alerting.testing.BuiltInRules;
import org.vigil.alerting.testing.CareTree;
import org.vigil.common.db.Database;
import org.vigil.common.testing.TestPostgres;

/**
 * A fresh database of the test PostgreSQL for one store test class, with alerting's stores and a {@link CareTree}
 * on it: opened before the class's tests (and its own {@code @BeforeAll}), closed after them. Registered as
 * {@code @RegisterExtension static final StoreDatabase db = new StoreDatabase();}.
 */
final class StoreDatabase implements BeforeAllCallback, AfterAllCallback {

    Database database;
    AlertSignalStore signals;
    AlertActions actions;
    AlertQueries queries;
    EscalationStore escalation;
    PatientHistoryStore history;
    EngineStateStore states;
    WebhookStore webhooks;
    CareTree tree;

    @Override
    public void beforeAll(ExtensionContext context) {
        database = Database.open(TestPostgres.newDatabase());
        DataSource ds = database.dataSource();
        signals = new AlertSignalStore(ds, BuiltInRules.RULES::valueUnit);
        actions = new AlertActions(ds);
        queries = new AlertQueries(ds);
        escalation = new EscalationStore(ds);
        history = new PatientHistoryStore(ds);
        states = new EngineStateStore(ds, EngineStateStore.CLUSTER);
        webhooks = new WebhookStore(ds);
        tree = new CareTree(ds);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (database != null) {
            database.close();
        }
    }

    /** A new connection to the database, for the test's own SQL. */
    Connection connection() throws SQLException {
        return database.dataSource().getConnection();
    }
}
