package org.vigil.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A {@link ConsoleServerTest} whose every test gets a fresh browser, closed after it. */
abstract class ConsoleBrowserTest extends ConsoleServerTest {

    Browser browser;

    @BeforeEach
    void openBrowser() throws Exception {
        browser = openBrowserOnServer();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }
}
