package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The doctor's console in a real headless Chromium against a real server: sign in, a crisis reading published over
 * MQTT appearing on triage without a reload, acknowledging and resolving it in place, and the CSRF rule. Screenshots
 * of each page go to target/screenshots.
 */
@Timeout(300)
class ConsoleIT extends ConsoleBrowserTest {

    /**
     * Verifies that a crisis reading published over MQTT appears on the signed-in doctor's triage page without a
     * reload, and that she acknowledges and resolves it there (the alert is then resolved by her, as the API says).
     */
    @Test
    void aCrisisAppearsLiveAndIsAcknowledgedAndResolvedInPlace() throws Exception {
        ConsoleClinic clinic = signInAs(ConsoleClinic.create(admin));
        browser.visible("#triage-empty");
        browser.until(d -> "open".equals(browser.find("main").getDomAttribute("data-live")));
        browser.screenshot("01-triage-empty");

        clinic.bloodPressure(server.mqttPort(), System.currentTimeMillis(), 186, 112);
        WebElement row = browser.visible("#triage tr[data-severity=critical]");
        assertThat(row.getText()).contains(clinic.patientName).contains("血压过高").contains("186");
        assertThat(browser.find("#count-critical").getText()).contains("1");
        browser.screenshot("02-triage-critical");
        browser.size(390, 844);
        browser.until(d -> fitsTheWidth());
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
        signInAs(clinic);
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

    /**
     * Verifies that the patient page draws her blood pressure with her thresholds as bands and her alert marked, over
     * 7 and 90 days, and lists readings, alerts, care plan, devices and contracts.
     */
    @Test
    void thePatientChartShowsThresholdBandsAndAlerts() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        long now = System.currentTimeMillis();
        int[][] readings = {{142, 88}, {151, 92}, {138, 85}, {165, 101}, {186, 112}, {149, 90}};
        for (int i = 0; i < readings.length; i++) {
            clinic.bloodPressure(server.mqttPort(), now - (readings.length - i) * 6 * 3_600_000L, readings[i][0],
                    readings[i][1]);
        }
        signInAs(clinic);
        browser.open("/#/patient/" + clinic.patientId);
        WebElement bp = browser.visible(".chart[data-metric=blood_pressure] canvas");
        WebElement box = browser.find(".chart[data-metric=blood_pressure]");
        assertThat(Integer.parseInt(box.getDomAttribute("data-points"))).isEqualTo(readings.length);
        assertThat(Integer.parseInt(box.getDomAttribute("data-bands"))).as("systolic bands").isEqualTo(2);
        assertThat(Integer.parseInt(box.getDomAttribute("data-lines"))).as("diastolic threshold lines").isEqualTo(2);
        assertThat(Integer.parseInt(box.getDomAttribute("data-alert-marks"))).isGreaterThanOrEqualTo(1);
        assertThat(bp.getSize().getWidth()).isGreaterThan(250);
        // Above systolic 180 the critical band is red, between 160 and 180 the warning band amber, below nothing.
        @SuppressWarnings("unchecked")
        List<List<Long>> pixels = (List<List<Long>>) browser.script("""
                const box = document.querySelector('.chart[data-metric=blood_pressure]');
                const u = box.uplot;
                const g = box.querySelector('canvas').getContext('2d');
                const x = Math.round(u.bbox.left + u.bbox.width - 2);
                const px = v => Array.from(g.getImageData(x, Math.round(u.valToPos(v, 'y', true)), 1, 1).data);
                return [px(183), px(170), px(118)];""");
        assertThat(pixels.get(0).get(0) - pixels.get(0).get(1)).as("critical band, red: %s", pixels.get(0)).isGreaterThan(20);
        assertThat(pixels.get(1).get(0) - pixels.get(1).get(2)).as("warning band, amber: %s", pixels.get(1)).isGreaterThan(20);
        assertThat(pixels.get(0).get(3)).as("critical band painted: %s", pixels.get(0)).isGreaterThan(0);
        // Below the bands: transparent, or the grey of a grid line, never a band's colour.
        assertThat(Math.abs(pixels.get(2).get(0) - pixels.get(2).get(2))).as("no band below: %s", pixels.get(2))
                .isLessThan(15);
        assertThat(browser.find(".chart[data-metric=glucose]").getText()).contains("该时间段内没有数据");
        browser.visible("#readings-table");
        assertThat(browser.find("#alert-history").getText()).contains("血压过高");
        assertThat(browser.find("#devices-table").getText()).contains(clinic.device.serial()).contains("血压计");
        browser.screenshot("05-patient-7-days");

        browser.find(".range button[data-days='90']").click();
        browser.until(d -> "90".equals(browser.find("main").getDomAttribute("data-chart-days")));
        browser.visible(".chart[data-metric=blood_pressure] canvas");
        browser.screenshot("06-patient-90-days");
        browser.size(390, 844);
        browser.until(d -> fitsTheWidth());
        browser.screenshot("07-patient-phone");
        browser.size(1366, 768);
    }

    /**
     * Verifies that a doctor cannot open another doctor's patient and sees no trace of her: the page reads exactly as
     * for a patient that does not exist, and neither her name nor her alert appears anywhere.
     */
    @Test
    void aDoctorCannotOpenAnotherDoctorsPatient() throws Exception {
        ConsoleClinic mine = ConsoleClinic.create(admin);
        ConsoleClinic theirs = ConsoleClinic.create(admin);
        theirs.bloodPressure(server.mqttPort(), System.currentTimeMillis(), 188, 114);
        signInAs(mine);
        browser.visible("#triage-empty");

        browser.open("/#/patient/" + theirs.patientId);
        String refused = browser.visible("#not-found").getText();
        assertThat(refused).isEqualTo("未找到该记录，或您无权查看。");
        assertThat(browser.text()).doesNotContain(theirs.patientName);
        browser.screenshot("08-other-doctors-patient");
        browser.open("/#/patient/999999999");
        assertThat(browser.visible("#not-found").getText()).isEqualTo(refused);

        browser.open("/#/patients");
        browser.visible("#patients-table");
        assertThat(browser.text()).contains(mine.patientName).doesNotContain(theirs.patientName);
        browser.screenshot("09-my-patients");
    }

    /**
     * Verifies that switching to English changes every label: the pages in English hold no Chinese character (apart
     * from the switch back, marked as Chinese), and the pages in Chinese none of the English bundle's labels.
     */
    @Test
    void switchingToEnglishChangesEveryLabel() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin, true);
        clinic.bloodPressure(server.mqttPort(), System.currentTimeMillis(), 184, 111);
        signInAs(clinic);
        browser.visible("#triage tr[data-severity=critical]");
        List<String> english = englishLabels();
        String[] pages = {"#/triage", "#/patients", "#/patient/" + clinic.patientId};
        String[] ready = {"#triage tr[data-severity=critical]", "#patients-table", "#care-plan"};
        for (int i = 0; i < pages.length; i++) {
            browser.open("/" + pages[i]);
            browser.visible(ready[i]);
            String text = pageText();
            assertThat(english).as("English labels on %s in Chinese", pages[i]).noneMatch(text::contains);
        }

        browser.find("#lang").click();
        browser.until(d -> "en".equals(browser.find("html").getDomAttribute("lang")));
        for (int i = 0; i < pages.length; i++) {
            browser.open("/" + pages[i]);
            browser.visible(ready[i]);
            String text = pageText();
            assertThat(text).as("%s in English", pages[i]).doesNotContainPattern("\\p{IsHan}");
            assertThat(text).as("%s in English", pages[i]).contains(i == 0 ? "High blood pressure" : "Sign out");
            if (i == 0) {
                // The language switch re-rendered the patient page; opened again at once, triage shows triage only.
                assertThat(browser.all("#care-plan, #devices-table")).as("the patient page's parts under triage")
                        .isEmpty();
            }
            browser.screenshot("1" + i + "-english-" + pages[i].substring(2).replace('/', '-'));
        }
        assertThat(browser.find("#lang").getDomAttribute("lang")).isEqualTo("zh-CN");
        assertThat(browser.find("#lang").getText()).isEqualTo("中文");
    }

    /** Verifies that a named administrator reaches administration and hands out a doctor's one-time link there. */
    @Test
    void anAdministratorCreatesAnAccountWithAOneTimeLink() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        String login = "ops-" + System.nanoTime() % 100_000;
        JsonObject account = admin.create("/api/v1/accounts", new JsonObject().put("login", login).put("name", "运维 张"));
        String link = account.getString("setPasswordPath");
        browser.open(link);
        browser.visible("#setpassword input");
        browser.all("#setpassword input").forEach(input -> input.sendKeys(ConsoleClinic.PASSWORD));
        browser.screenshot("13-set-password");
        browser.find("#setpassword button[type=submit]").click();
        browser.visible("#signin input[name=login]");
        browser.signIn(login, ConsoleClinic.PASSWORD);
        browser.visible("#accounts-table");
        long doctor = admin.create("/api/v1/doctors", new JsonObject().put("name", "赵医生")
                .put("organisationId", clinic.organisationId)).getLong("id");
        browser.find("#new-account input[name=login]").sendKeys("zhao-" + doctor);
        browser.find("#new-account input[name=name]").sendKeys("赵医生");
        browser.find("#new-account input[name=doctorId]").sendKeys(Long.toString(doctor));
        browser.find("#new-account button[type=submit]").click();
        assertThat(browser.visible("#setup-link").getText()).contains("/#/set-password/vs_");
        browser.until(d -> browser.textOf("#accounts-table").contains("zhao-" + doctor));
        browser.screenshot("14-administration");

        // A device registered there shows its secret once, and the secret works over MQTT.
        String serial = "GLU-ADMIN-" + System.nanoTime() % 100_000;
        browser.find("#new-device input[name=serial]").sendKeys(serial);
        new Select(browser.find("#new-device select[name=type]")).selectByValue("glucometer");
        browser.find("#new-device input[name=patientId]").sendKeys(Long.toString(clinic.patientId));
        browser.find("#new-device button[type=submit]").click();
        String secret = browser.visible("#new-device + div #secret-once code").getText();
        browser.until(d -> browser.textOf("#devices-admin-table").contains(serial));
        Devices glucometer = new Devices(0, serial, secret, clinic.patientId, clinic.doctorId);
        try (var client = glucometer.connect("tcp://127.0.0.1:" + server.mqttPort())) {
            client.disconnect();
        }
        browser.screenshot("14b-administration-device-secret");
    }

    /**
     * Verifies that an administrator, in administration, moves a patient to another team's doctor from today (the
     * history then shows both contracts), binds a device to her (the binding shows), moves a village clinic under
     * another township (the tree shows it there), and that a refusal names its field instead of leaving a blank.
     */
    @Test
    void anAdministratorMovesAPatientBindsADeviceAndMovesAnOrganisation() throws Exception {
        ConsoleClinic here = ConsoleClinic.create(admin);
        ConsoleClinic there = ConsoleClinic.create(admin);
        String login = "ops-" + System.nanoTime() % 100_000;
        String link = admin.create("/api/v1/accounts", new JsonObject().put("login", login).put("name", "运维 李"))
                .getString("setPasswordPath");
        assertThat(admin.send("POST", "/api/v1/session/password", new JsonObject()
                .put("token", link.substring(link.lastIndexOf('/') + 1)).put("password", ConsoleClinic.PASSWORD)
                .encode()).statusCode()).isEqualTo(204);
        browser.signIn(login, ConsoleClinic.PASSWORD);
        browser.visible("#contract");

        // A doctor who is not of the team is refused, and the message names the field in the page's language.
        browser.find("#contract input[name=patientId]").sendKeys(Long.toString(here.patientId));
        browser.find("#contract input[name=teamId]").sendKeys(Long.toString(there.teamId));
        browser.find("#contract input[name=doctorId]").sendKeys(Long.toString(here.doctorId), Keys.ENTER);
        assertThat(browser.visible("#contract + .form-message .msg.error").getText()).contains("责任医生编号");
        WebElement doctor = browser.find("#contract input[name=doctorId]");
        doctor.clear();
        // A start before the open contract's is a conflict naming the start, shown the same way.
        String today = (String) browser.script("const f = document.querySelector('#contract input[name=from]');"
                + " const today = f.value; f.stepDown(1); return today;");
        doctor.sendKeys(Long.toString(there.doctorId), Keys.ENTER);
        browser.until(d -> browser.textOf("#contract + .form-message").contains("开始日期"));
        browser.script("document.querySelector('#contract input[name=from]').value = arguments[0];", today);
        doctor.sendKeys(Keys.ENTER);
        rows("#contracts-table", 2, "#contract");
        List<WebElement> contracts = browser.all("#contracts-table tbody tr");
        assertThat(contracts.get(0).getText()).contains(Long.toString(here.doctorId));
        assertThat(contracts.get(1).getText()).contains(Long.toString(there.doctorId)).contains("仍有效");
        assertThat(browser.all("#contract + .form-message .msg.error")).isEmpty();
        var history = admin.get("/api/v1/patients/" + here.patientId + "/contracts").getJsonArray("items");
        assertThat(history.size()).isEqualTo(2);
        assertThat(history.getJsonObject(1).getLong("doctorId")).isEqualTo(there.doctorId);
        assertThat(history.getJsonObject(1).getLong("teamId")).isEqualTo(there.teamId);
        browser.script("document.getElementById('contract').scrollIntoView();");
        browser.screenshot("16-administration-contract");

        // The other clinic's cuff is bound to this patient from today.
        browser.find("#binding input[name=deviceId]").sendKeys(Long.toString(there.device.id()));
        browser.find("#binding input[name=patientId]").sendKeys(Long.toString(here.patientId), Keys.ENTER);
        rows("#bindings-table", 2, "#binding");
        assertThat(browser.all("#bindings-table tbody tr").get(1).getText()).contains(Long.toString(here.patientId));
        assertThat(admin.get("/api/v1/devices/" + there.device.id()).getLong("patientId")).isEqualTo(here.patientId);
        browser.script("document.getElementById('binding').scrollIntoView();");
        browser.screenshot("17-administration-binding");

        // This village clinic moves under the other clinic's township; the tree shows it there.
        long township = admin.get("/api/v1/organisations/" + there.organisationId).getLong("parentId");
        browser.find("#move-organisation input[name=organisationId]").sendKeys(Long.toString(here.organisationId));
        browser.find("#move-organisation input[name=parentId]").sendKeys(Long.toString(township), Keys.ENTER);
        String moved = "#organisation-tree li[data-org-id='" + township + "'] li[data-org-id='" + here.organisationId + "']";
        browser.visible(moved);
        assertThat(admin.get("/api/v1/organisations/" + here.organisationId).getLong("parentId")).isEqualTo(township);
        assertThat(browser.accessibilityProblems()).as("administration after the changes").isEmpty();
        browser.script("arguments[0].scrollIntoView({block: 'center'});", browser.find(moved));
        browser.screenshot("18-administration-tree");

        browser.find("#lang").click();
        browser.until(d -> "en".equals(browser.find("html").getDomAttribute("lang")));
        browser.visible("#contract");
        assertThat(browser.textOf("main")).contains("Move an organisation under another parent").contains("Device bindings");
        browser.find("#contract input[name=patientId]").sendKeys(Long.toString(here.patientId));
        browser.find("#contract button[type=button]").click();
        rows("#contracts-table", 2, "#contract");
        assertThat(browser.textOf("#contracts-table")).contains("Still in force").contains("Administrator " + login);
        browser.script("document.getElementById('contract').scrollIntoView();");
        browser.screenshot("19-english-administration-contract");
        browser.script("arguments[0].scrollIntoView({block: 'center'});", browser.find(moved));
        browser.screenshot("19b-english-administration-tree");
    }

    /**
     * Verifies that a care plan changed by someone else while the doctor edits it is not overwritten: her save is
     * refused with a message saying so, what she typed stays, and saving again builds on the newer version.
     */
    @Test
    void aConflictingCarePlanChangeIsShownNotLost() throws Exception {
        ConsoleClinic clinic = signInAs(ConsoleClinic.create(admin));
        browser.open("/#/patient/" + clinic.patientId);
        WebElement thresholds = browser.visible("#care-plan-thresholds");
        String mine = "{\"blood_pressure_high\": [{\"severity\": \"critical\", \"anyOf\": "
                + "[{\"metric\": \"systolic_bp\", \"op\": \">=\", \"value\": 170}]}]}";
        thresholds.clear();
        thresholds.sendKeys(mine);

        // Meanwhile a colleague stores version 1.
        var meanwhile = admin.send("PUT", "/api/v1/patients/" + clinic.patientId + "/care-plan", new JsonObject()
                .put("version", 0).put("expected", new io.vertx.core.json.JsonArray().add(new JsonObject()
                        .put("metric", "systolic_bp").put("every", "P1D"))).encode());
        assertThat(meanwhile.statusCode()).as(meanwhile.body()).isEqualTo(200);

        browser.find("#care-plan-save").click();
        WebElement message = browser.visible("#care-plan-message.error");
        assertThat(message.getText()).contains("其他人已修改").contains("1");
        assertThat(browser.find("#care-plan-thresholds").getDomProperty("value")).isEqualTo(mine);
        browser.screenshot("15-care-plan-conflict");
        assertThat(admin.get("/api/v1/patients/" + clinic.patientId + "/care-plan").getInteger("version")).isEqualTo(1);

        browser.find("#care-plan-save").click();
        browser.until(d -> browser.find("#care-plan-message").getText().contains("版本 2"));
        JsonObject stored = admin.get("/api/v1/patients/" + clinic.patientId + "/care-plan");
        assertThat(stored.getInteger("version")).isEqualTo(2);
        assertThat(stored.getJsonObject("thresholds").containsKey("blood_pressure_high")).isTrue();
        // The chart's bands follow: her own critical line at 170 replaces the rule's 180 and 110.
        JsonObject bands = admin.get("/api/v1/patients/" + clinic.patientId + "/thresholds");
        assertThat(bands.getJsonArray("bands").stream().map(JsonObject.class::cast)
                .filter(b -> "blood_pressure_high".equals(b.getString("rule"))).toList())
                .singleElement().satisfies(b -> {
                    assertThat(b.getString("source")).isEqualTo("care_plan");
                    assertThat(b.getDouble("value")).isEqualTo(170.0);
                });
    }

    /**
     * Verifies what an accessibility checker looks at first, on every page with its forms open: each visible control
     * is labelled, each visible text has a contrast of at least 4.5:1 (3:1 when large), the page names its language;
     * and that a doctor can acknowledge an alert with the keyboard alone.
     */
    @Test
    void pagesAreLabelledReadableAndKeyboardUsable() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        clinic.bloodPressure(server.mqttPort(), System.currentTimeMillis(), 183, 111);
        browser.open("/");
        browser.visible("#signin input[name=login]");
        assertThat(browser.accessibilityProblems()).as("sign-in").isEmpty();
        // Keyboard only: type, Enter submits; Tab reaches the first alert's acknowledge button; Enter presses it.
        browser.find("#signin input[name=login]").sendKeys(clinic.login, Keys.TAB, ConsoleClinic.PASSWORD, Keys.ENTER);
        WebElement row = browser.visible("#triage tr[data-severity=critical]");
        long alertId = Long.parseLong(row.getDomAttribute("data-alert-id"));
        row.findElement(By.cssSelector("button[data-action=resolve]")).click();
        browser.visible("#alert-" + alertId + " select[name=disposition]");
        assertThat(browser.accessibilityProblems()).as("triage with the resolve form open").isEmpty();
        browser.find("#alert-" + alertId + " button[type=button]:not([data-action])").click();

        browser.script("document.activeElement.blur(); window.scrollTo(0, 0);");
        int tabs = 0;
        while (!"ack".equals(browser.script("return document.activeElement.dataset.action || '';")) && tabs < 30) {
            new Actions(browser.driver).sendKeys(Keys.TAB).perform();
            tabs++;
        }
        assertThat(tabs).as("Tab presses to the acknowledge button").isLessThan(30);
        new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
        browser.until(d -> browser.all("#alert-" + alertId + " button[data-action=ack]").isEmpty());
        assertThat(admin.get("/api/v1/alerts/" + alertId).getString("status")).isEqualTo("acknowledged");

        browser.open("/#/patients");
        browser.visible("#patients-table");
        assertThat(browser.accessibilityProblems()).as("my patients").isEmpty();
        browser.open("/#/patient/" + clinic.patientId);
        browser.visible("#care-plan");
        browser.find("#care-plan button[type=button]").click();
        assertThat(browser.accessibilityProblems()).as("patient page with a care plan row added").isEmpty();
    }

    /** Waits for the table to show rows rows; on a timeout says what the form's message said instead. */
    private void rows(String table, int rows, String form) {
        try {
            browser.until(d -> browser.all(table + " tbody tr").size() == rows);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(table + " has no " + rows + " rows; the form says: "
                    + browser.textOf(form + " + .form-message") + " / " + browser.textOf(table), e);
        }
    }

    /** Nothing is wider than the window: a phone needs no sideways scrolling. */
    private boolean fitsTheWidth() {
        return Boolean.TRUE.equals(browser.script(
                "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"));
    }

    /** The English bundle's labels that differ from the Chinese ones, split at their placeholders. */
    private static List<String> englishLabels() throws Exception {
        JsonObject en = bundle("en");
        JsonObject zh = bundle("zh-CN");
        List<String> labels = new java.util.ArrayList<>();
        for (String key : en.fieldNames()) {
            if (en.getString(key).equals(zh.getString(key)) || key.startsWith("lang.")) {
                continue;
            }
            for (String part : en.getString(key).split("\\{\\w+}")) {
                if (part.strip().replaceAll("[^A-Za-z]", "").length() >= 3) {
                    labels.add(part.strip());
                }
            }
        }
        return labels;
    }

    static JsonObject bundle(String lang) throws Exception {
        try (var in = ConsoleIT.class.getResourceAsStream("/org/vigil/server/console/i18n/" + lang + ".json")) {
            return new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
