package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.paho.client.mqttv3.MqttClient;

/** What a backup must keep of a patient: her readings, her alerts with their state, and each alert's history. */
final class PatientRecord {

    private PatientRecord() {
    }

    /** Readings over MQTT, a crisis that opens an alert, a doctor's acknowledgement; returns what is stored. */
    static JsonObject create(ApiClient api, int mqtt) throws Exception {
        Devices d = Devices.register(api, "BACKUP");
        long now = Instant.now().toEpochMilli();
        try (MqttClient client = d.connect("tcp://127.0.0.1:" + mqtt)) {
            for (int i = 0; i < 20; i++) {
                client.publish(d.topic(), Devices.message(Devices.heartRate(now - (20 - i) * 60_000L, 60 + i), 1));
            }
            client.publish(d.topic(), Devices.message(
                    "{\"ts\": " + now + ", \"values\": {\"systolic_bp\": 194, \"diastolic_bp\": 121}}", 1));
            client.disconnect();
        }
        JsonArray alerts = api.awaitAlerts("patientId=" + d.patientId(), Duration.ofSeconds(20));
        assertThat(alerts).as("the crisis opened an alert").hasSize(1);
        assertThat(api.send("POST", "/api/v1/alerts/" + alerts.getJsonObject(0).getLong("id") + "/ack", null).statusCode())
                .isEqualTo(200);
        JsonObject stored = snapshot(api, d.patientId());
        assertThat(stored.getJsonArray("vitals")).hasSize(22);
        return stored;
    }

    /** Everything of the patient that must survive: readings, alerts (with status) and each alert's transitions. */
    static JsonObject snapshot(ApiClient api, long patientId) throws Exception {
        JsonArray alerts = api.get("/api/v1/alerts?patientId=" + patientId).getJsonArray("items");
        JsonArray transitions = new JsonArray();
        for (int i = 0; i < alerts.size(); i++) {
            transitions.add(api.get("/api/v1/alerts/" + alerts.getJsonObject(i).getLong("id") + "/transitions")
                    .getJsonArray("items"));
        }
        return new JsonObject().put("patientId", patientId)
                .put("vitals", api.get("/api/v1/patients/" + patientId + "/vitals?limit=500").getJsonArray("items"))
                .put("alerts", alerts).put("transitions", transitions);
    }

}
