package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.WebElement;

/**
 * The township doctor's triage in a real headless Chromium: a village crisis nobody acknowledges is escalated to her
 * organisation and appears on her page without a reload, and leaves it, again without a reload, once the village
 * doctor acknowledges it (hers to follow up now).
 */
@Timeout(300)
class ConsoleEscalationIT extends ConsoleServerTest {

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_ESCALATE_AFTER", "PT3S");
        env.put("VIGIL_ESCALATION_SWEEP", "500ms");
        startServer(env);
    }

    @Test
    void anEscalatedCrisisAppearsAtTheTownshipAndLeavesWhenTheVillageDoctorAcknowledges() throws Exception {
        ConsoleClinic village = ConsoleClinic.create(admin);
        long township = admin.get("/api/v1/organisations/" + village.organisationId).getLong("parentId");
        long doctor = admin.create("/api/v1/doctors", new JsonObject().put("name", "乡镇 陈医生")
                .put("organisationId", township)).getLong("id");
        admin.create("/api/v1/teams", new JsonObject().put("name", "镇卫生院团队").put("organisationId", township)
                .put("doctorIds", new JsonArray().add(doctor)));
        JsonObject account = admin.create("/api/v1/accounts", new JsonObject().put("login", "chen-" + doctor)
                .put("name", "陈医生").put("doctorId", doctor));
        String link = account.getString("setPasswordPath");
        admin.send("POST", "/api/v1/session/password", new JsonObject().put("token", link.substring(link.lastIndexOf('/') + 1))
                .put("password", ConsoleClinic.PASSWORD).encode());

        try (Browser browser = new Browser("http://127.0.0.1:" + server.httpPort())) {
            browser.signIn("chen-" + doctor, ConsoleClinic.PASSWORD);
            browser.visible("#triage-empty");
            browser.until(d -> "open".equals(browser.find("main").getDomAttribute("data-live")));
            village.bloodPressure(server.mqttPort(), System.currentTimeMillis(), 192, 118);

            WebElement row = browser.visible("#triage tr[data-severity=critical]");
            assertThat(row.getText()).contains(village.patientName).contains("已上报");
            long alertId = Long.parseLong(row.getDomAttribute("data-alert-id"));
            browser.screenshot("16-township-escalated");

            String token = admin.create("/api/v1/doctors/" + village.doctorId + "/tokens", new JsonObject())
                    .getString("token");
            try (ApiClient villageDoctor = new ApiClient(server.httpPort(), token)) {
                assertThat(villageDoctor.send("POST", "/api/v1/alerts/" + alertId + "/ack", null).statusCode())
                        .isEqualTo(200);
            }
            browser.gone("#alert-" + alertId);
            browser.visible("#triage-empty");
        }
    }
}
