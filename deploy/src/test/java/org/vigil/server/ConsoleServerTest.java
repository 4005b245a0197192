package org.vigil.server;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * One real server per test class for the console's browser tests, with an administrator's API client; skipped where
 * Debian's Chromium or its driver is missing. A subclass starts the server from its own {@code @BeforeAll} with the
 * settings it needs.
 */
abstract class ConsoleServerTest {

    static VigilServer server;
    static ApiClient admin;

    /** Starts the server with {@code settings}; call from the subclass's {@code @BeforeAll}. */
    static void startServer(Map<String, String> settings) throws Exception {
        Browser.assumeInstalled();
        server = TestServers.start(settings);
        admin = new ApiClient(server.httpPort(), server.adminToken());
    }

    @AfterAll
    static void stopServer() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** A new browser on the server's console. */
    static Browser openBrowserOnServer() throws Exception {
        return new Browser("http://127.0.0.1:" + server.httpPort());
    }
}
