package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The doctor's console in a real headless Chromium against a real server: sign in, a crisis reading published over
 * MQTT appearing on triage without a reload, acknowledging and resolving it in place, and the CSRF rule. Screenshots
 * of each page go to target/screenshots.
 */
@Timeout(300)
class ConsoleIT {

    private static VigilServer server;
    private static ApiClient admin;
    private Browser browser;

    @BeforeAll
    static void start() throws Exception {
        Browser.assumeInstalled();
        server = TestServers.start(TestServers.externalDatabase());
        admin = new ApiClient(server.httpPort(), server.adminToken());
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void openBrowser() throws Exception {
        browser = new Browser("http://127.0.0.1:" + server.httpPort());
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    /**
     * Verifies that a crisis reading published over MQTT appears on the signed-in doctor's triage page without a
     * reload, and that she acknowledges and resolves it there (the alert is then resolved by her, as the API says).
     */
    @Test
    void aCrisisAppearsLiveAndIsAcknowledgedAndResolvedInPlace() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        browser.signIn(clinic.login, ConsoleClinic.PASSWORD);
        browser.visible("#triage-empty");
        browser.until(d -> "open".equals(browser.find("main").getDomAttribute("data-live")));
        browser.screenshot("01-triage-empty");

        clinic.bloodPressure(server.mqttPort(), System.currentTimeMillis(), 186, 112);
        WebElement row = browser.visible("#triage tr[data-severity=critical]");
        assertThat(row.getText()).contains(clinic.patientName).contains("血压过高").contains("186");
        assertThat(browser.find("#count-critical").getText()).contains("1");
        browser.screenshot("02-triage-critical");
        browser.size(390, 844);
        browser.screenshot("03-triage-critical-phone");
        browser.size(1366, 768);

        long alertId = Long.parseLong(row.getDomAttribute("data-alert-id"));
        row.findElement(By.cssSelector("button[data-action=ack]")).click();
        browser.until(d -> browser.all("#alert-" + alertId + " button[data-action=ack]").isEmpty()
                && browser.find("#alert-" + alertId).getText().contains("已确认"));
        assertThat(admin.get("/api/v1/alerts/" + alertId).getString("acknowledgedBy"))
                .isEqualTo("doctor:" + clinic.doctorId);

        browser.find("#alert-" + alertId + " button[data-action=resolve]").click();
        new Select(browser.visible("#alert-" + alertId + " select[name=disposition]")).selectByValue("contacted_patient");
        browser.find("#alert-" + alertId + " textarea[name=note]").sendKeys("已电话联系，嘱其复测");
        browser.screenshot("04-triage-resolve-form");
        browser.find("#alert-" + alertId + " button[data-action=confirm-resolve]").click();
        browser.gone("#alert-" + alertId);
        browser.visible("#triage-empty");
        JsonObject resolved = admin.get("/api/v1/alerts/" + alertId);
        assertThat(resolved.getString("status")).isEqualTo("resolved");
        assertThat(resolved.getString("resolvedBy")).isEqualTo("doctor:" + clinic.doctorId);
        assertThat(resolved.getString("disposition")).isEqualTo("contacted_patient");
    }

    /** Verifies that a change made with the session cookie but without the CSRF header is refused, with it allowed. */
    @Test
    void aChangeWithoutTheCsrfTokenIsRefused() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        clinic.bloodPressure(server.mqttPort(), System.currentTimeMillis(), 190, 115);
        browser.signIn(clinic.login, ConsoleClinic.PASSWORD);
        WebElement row = browser.visible("#triage tr[data-severity=critical]");
        long alertId = Long.parseLong(row.getDomAttribute("data-alert-id"));

        String call = """
                const done = arguments[arguments.length - 1];
                const headers = arguments[1] ? {'X-CSRF-Token': arguments[1]} : {};
                fetch('/api/v1/alerts/' + arguments[0] + '/ack', {method: 'POST', credentials: 'same-origin', headers})
                  .then(r => done(r.status), e => done(String(e)));""";
        assertThat(browser.asyncScript(call, alertId, null)).isEqualTo(403L);
        assertThat(browser.asyncScript(call, alertId, "0123456789abcdef")).isEqualTo(403L);
        assertThat(admin.get("/api/v1/alerts/" + alertId).getString("status")).isEqualTo("open");

        String csrf = (String) browser.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/v1/session', {credentials: 'same-origin'}).then(r => r.json()).then(j => done(j.csrfToken));""");
        assertThat(browser.asyncScript(call, alertId, csrf)).isEqualTo(200L);
        assertThat(admin.get("/api/v1/alerts/" + alertId).getString("status")).isEqualTo("acknowledged");
    }
}
