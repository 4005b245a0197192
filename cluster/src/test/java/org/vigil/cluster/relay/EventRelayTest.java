package org.vigil.cluster.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.bus.Addresses;

@Timeout(10)
class EventRelayTest {

    /** Verifies that each announcement is keyed by the entity whose events must keep their order. */
    @Test
    void announcementsAreKeyedByTheirEntity() {
        assertThat(EventRelay.key(new JsonObject().put("change", "opened").put("alert",
                new JsonObject().put("id", 42).put("patientId", 7)))).isEqualTo("alert:42");
        assertThat(EventRelay.key(new JsonObject().put("kind", "device").put("serial", "S1").put("deviceId", 9)
                .put("change", "revoked"))).isEqualTo("device:9");
        assertThat(EventRelay.key(new JsonObject().put("kind", "patient").put("patientId", 7)))
                .isEqualTo("patient:7");
        assertThat(EventRelay.key(new JsonObject().put("kind", "doctor").put("doctorId", 3).put("tokenId", 5)))
                .isEqualTo("doctor:3");
        assertThat(EventRelay.key(new JsonObject().put("something", "else"))).isNull();
    }

    @Test
    void theAnnouncementsEveryNodeMustHearAreRelayed() {
        assertThat(EventRelay.ADDRESSES).containsExactlyInAnyOrder(Addresses.ALERT_CHANGED,
                Addresses.REGISTRY_CHANGED, Addresses.ALERT_RESOLVED, Addresses.DEVICE_SESSION,
                Addresses.DEVICE_CONNECTION);
    }
}
