package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's chronic-care pages in a real headless Chromium against a real server: a follow-up recorded on the
 * patient page, the grade confirmed, the doctor's indicators with a drill-down, the follow-ups due page, and the
 * same pages in English. Screenshots go to target/screenshots.
 */
@Timeout(300)
class ConsoleCareIT extends ConsoleBrowserTest {

    /**
     * Verifies that a doctor records a follow-up with an office BP on the patient page and is shown the next due
     * date the server set, which the history and the summary then show too; and that she confirms the suggested grade.
     */
    @Test
    void aFollowUpRecordedOnThePatientPageShowsTheNextDueDate() throws Exception {
        ConsoleClinic clinic = signInAs(ConsoleClinic.create(admin));
        browser.open("/#/patient/" + clinic.patientId);
        browser.visible("#follow-up-form");
        assertThat(browser.find("#care").getText()).contains("慢病管理").contains("高血压").contains("尚无随访记录");
        browser.screenshot("care-01-patient-before");

        new Select(browser.find("#follow-up-form select[name=type]")).selectByValue("phone");
        browser.find("#follow-up-form input[name=systolic]").sendKeys("132");
        browser.find("#follow-up-form input[name=diastolic]").sendKeys("82");
        browser.find("#follow-up-form input[value=lifestyle_advice]").click();
        browser.find("#follow-up-save").click();
        WebElement saved = browser.until(d -> {
            WebElement m = browser.find("#follow-up-message");
            return m.getDomAttribute("data-due") != null ? m : null;
        });

        JsonObject stored = admin.get("/api/v1/patients/" + clinic.patientId + "/follow-ups").getJsonArray("items")
                .getJsonObject(0);
        assertThat(stored.getString("type")).isEqualTo("phone");
        assertThat(stored.getString("classification")).isEqualTo("controlled");
        assertThat(stored.getJsonObject("measurements").getDouble("systolic_bp")).isEqualTo(132.0);
        String due = stored.getJsonObject("next").getString("due");
        assertThat(saved.getDomAttribute("data-due")).isEqualTo(due);
        assertThat(saved.getText()).startsWith("随访已保存").contains("常规随访");
        browser.until(d -> due.equals(browser.find("#next-follow-up").getDomAttribute("data-due")));
        assertThat(browser.visible("#follow-ups-table").getText()).contains("电话").contains("控制满意")
                .contains("132/82").contains("生活方式指导");
        browser.screenshot("care-02-follow-up-saved");

        int suggested = Integer.parseInt(browser.find("#grade-suggested").getDomAttribute("data-grade"));
        browser.find("#grade-save").click();
        browser.visible("#grade-history");
        assertThat(admin.get("/api/v1/patients/" + clinic.patientId + "/grade").getJsonObject("current")
                .getInteger("grade")).isEqualTo(suggested);
        browser.screenshot("care-03-grade-confirmed");
    }

    /**
     * Verifies that a laptop whose zone is set twenty hours behind China's still asks for the county's days: the
     * indicators' period ends on today in Asia/Shanghai (so the patient contracted a moment ago is counted) and the
     * follow-up form offers that day, not the laptop's.
     */
    @Test
    void aBrowserInAnotherZoneKeepsTheCountysCalendar() throws Exception {
        browser.close();
        browser = new Browser("http://127.0.0.1:" + server.httpPort(), "Etc/GMT+12");
        ConsoleClinic clinic = signInAs(ConsoleClinic.create(admin));
        String today = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")).toString();
        browser.open("/#/indicators");
        browser.visible("#indicators-table");
        assertThat(browser.find("#indicators-csv").getDomAttribute("href")).contains("&to=" + today + "&");
        assertThat(browser.find("#indicators-table tr[data-indicator=managed_hypertension] td[data-value]")
                .getDomAttribute("data-value")).isEqualTo("1");
        browser.open("/#/patient/" + clinic.patientId);
        WebElement date = browser.visible("#follow-up-form input[name=date]");
        assertThat(date.getDomProperty("value")).isEqualTo(today);
        assertThat(date.getDomAttribute("max")).isEqualTo(today);
    }

    /** Verifies that an override without a note is stopped with a message and nothing is recorded. */
    @Test
    void anOverrideWithoutANoteIsRefusedWithAMessage() throws Exception {
        ConsoleClinic clinic = signInAs(ConsoleClinic.create(admin));
        browser.open("/#/patient/" + clinic.patientId);
        browser.visible("#grade-form");
        int suggested = Integer.parseInt(browser.find("#grade-suggested").getDomAttribute("data-grade"));
        new Select(browser.find("#grade-select")).selectByValue(String.valueOf(suggested == 3 ? 1 : 3));
        browser.find("#grade-save").click();
        assertThat(browser.visible("#grade-message").getText()).isEqualTo("更改建议分级时请填写理由。");
        assertThat(admin.get("/api/v1/patients/" + clinic.patientId + "/grade").getValue("current")).isNull();
    }

    /**
     * Verifies that the indicators page shows the doctor's own panel (one hypertensive patient managed), that the
     * number drills down to that patient, and that the CSV link asks for the same figures as CSV.
     */
    @Test
    void theIndicatorsPageShowsHerPanelAndDrillsDown() throws Exception {
        ConsoleClinic clinic = signInAs(ConsoleClinic.create(admin));
        browser.open("/#/indicators");
        WebElement managed = browser.visible("#indicators-table tr[data-indicator=managed_hypertension]");
        assertThat(managed.getText()).contains("管理人数").contains("高血压");
        assertThat(browser.find("#indicators-table tr[data-indicator=managed_hypertension] td[data-value]")
                .getDomAttribute("data-value")).isEqualTo("1");
        assertThat(browser.find("#indicators-table tr[data-indicator=bp_control_rate]").getText()).contains("血压控制率");
        assertThat(browser.find("#indicators-csv").getDomAttribute("href")).contains("doctorId=" + clinic.doctorId)
                .contains("format=csv");

        browser.find("button[data-indicator=managed_hypertension][data-part=numerator]").click();
        assertThat(browser.visible("#drill-list").getText()).isEqualTo(clinic.patientName);
        browser.screenshot("care-04-indicators-drill-down");

        new Select(browser.find("#indicators-period")).selectByValue("month");
        browser.until(d -> browser.find("#indicators-range").getText().contains("至"));
        browser.visible("#indicators-table");
        browser.screenshot("care-05-indicators-last-month");
    }

    /**
     * Verifies that a follow-up whose recheck date has passed puts the patient on the doctor's follow-ups due page,
     * with the kind, how long overdue, and a link to her page.
     */
    @Test
    void aMissedRecheckIsOnTheFollowUpsDuePage() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        String date = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")).minusDays(30).toString();
        JsonObject recorded = admin.create("/api/v1/patients/" + clinic.patientId + "/follow-ups", new JsonObject()
                .put("date", date).put("type", "phone").put("classification", "uncontrolled")
                .put("doctorId", clinic.doctorId));
        assertThat(recorded.getJsonObject("next").getString("rule")).isEqualTo("recheck");
        signInAs(clinic);
        browser.open("/#/follow-ups");
        WebElement row = browser.visible("#overdue-table tr[data-patient-id='" + clinic.patientId + "']");
        assertThat(row.getText()).contains(clinic.patientName).contains("2周内复查").contains("16");
        browser.screenshot("care-06-follow-ups-due");
        row.findElement(org.openqa.selenium.By.linkText(clinic.patientName)).click();
        browser.visible("#follow-up-form");
    }

    /** Verifies that in English the patient's care section, the follow-ups due page and the indicators hold no Chinese. */
    @Test
    void inEnglishTheCarePagesHoldNoChinese() throws Exception {
        ConsoleClinic clinic = signInAs(ConsoleClinic.create(admin, true));
        browser.open("/#/patient/" + clinic.patientId);
        browser.visible("#follow-up-form");
        browser.find("#follow-up-save").click();
        browser.visible("#follow-ups-table");
        browser.find("#grade-save").click();
        browser.visible("#grade-history");

        browser.find("#lang").click();
        browser.until(d -> "en".equals(browser.find("html").getDomAttribute("lang")));
        String[] pages = {"#/patient/" + clinic.patientId, "#/follow-ups", "#/indicators"};
        String[] ready = {"#grade-history", "main h1", "#indicators-table"};
        String[] words = {"Chronic care", "Follow-ups due", "Blood pressure control rate"};
        for (int i = 0; i < pages.length; i++) {
            browser.open("/" + pages[i]);
            browser.visible(ready[i]);
            String text = pageText();
            assertThat(text).as("%s in English", pages[i]).doesNotContainPattern("\\p{IsHan}").contains(words[i]);
            browser.screenshot("care-1" + i + "-english-" + pages[i].substring(2).replace('/', '-'));
        }
    }
}
