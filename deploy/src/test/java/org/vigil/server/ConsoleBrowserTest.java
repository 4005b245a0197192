package org.vigil.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A {@link ConsoleServerTest} on a server with the test settings (an external database) whose every test gets a
 * fresh browser, closed after it.
 */
abstract class ConsoleBrowserTest extends ConsoleServerTest {

    Browser browser;

    @BeforeAll
    static void startWithTestSettings() throws Exception {
        startServer(TestServers.externalDatabase());
    }

    @BeforeEach
    void openBrowser() throws Exception {
        browser = openBrowserOnServer();
    }

    /** Signs the browser in as the clinic's doctor; returns the clinic. */
    ConsoleClinic signInAs(ConsoleClinic clinic) {
        browser.signIn(clinic.login, ConsoleClinic.PASSWORD);
        return clinic;
    }

    /** The page's visible text without the language switch (which names the other language in its own words). */
    String pageText() {
        return (String) browser.script("""
                const copy = document.body.cloneNode(true);
                copy.querySelectorAll('[lang]').forEach(e => e.remove());
                document.body.append(copy);
                copy.hidden = false;
                const text = copy.innerText;
                copy.remove();
                return text;""");
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }
}
