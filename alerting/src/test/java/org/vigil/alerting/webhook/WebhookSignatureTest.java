package org.vigil.alerting.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WebhookSignatureTest {

    /** RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?". */
    @Test
    void signsWithHmacSha256AsTheKnownVectorSays() {
        assertThat(WebhookSignature.sign("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    /** Verifies that the key is the secret's text, as {@code openssl dgst -sha256 -hmac "$secret"} uses it. */
    @Test
    void theKeyIsTheSecretsTextAndTheMessageTheExactBody() {
        byte[] body = "{\"deliveryId\":1,\"event\":\"alert.opened\",\"alert\":{\"id\":7}}".getBytes(StandardCharsets.UTF_8);
        String header = WebhookSignature.sign("s3cr3t-s3cr3t-s3cr3t", body);
        assertThat(WebhookSignature.verify("s3cr3t-s3cr3t-s3cr3t", body, header)).isTrue();
        assertThat(WebhookSignature.verify("s3cr3t-s3cr3t-s3cr3T", body, header)).isFalse();
        byte[] reformatted = "{\"deliveryId\": 1, \"event\": \"alert.opened\", \"alert\": {\"id\": 7}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSignature.verify("s3cr3t-s3cr3t-s3cr3t", reformatted, header))
                .as("the same JSON with other whitespace is other bytes").isFalse();
        assertThat(WebhookSignature.verify("s3cr3t-s3cr3t-s3cr3t", body, null)).isFalse();
    }

    @Test
    void newSecretsAre256BitsOfHex() {
        SecureRandom random = new SecureRandom();
        String secret = WebhookSignature.newSecret(random);
        assertThat(secret).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(WebhookSignature.newSecret(random)).isNotEqualTo(secret);
    }
}
