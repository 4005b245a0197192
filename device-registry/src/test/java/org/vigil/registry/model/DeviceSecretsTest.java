package org.vigil.registry.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeviceSecretsTest {

    private final DeviceSecrets secrets = new DeviceSecrets(new SecureRandom());

    @Test
    void onlyTheIssuedSecretMatchesItsHash() {
        String secret = secrets.newSecret();
        byte[] salt = secrets.newSalt();
        byte[] hash = DeviceSecrets.hash(salt, secret);

        assertThat(secret).hasSize(32).matches("[A-Za-z0-9_-]+");
        assertThat(DeviceSecrets.matches(salt, hash, secret.getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(DeviceSecrets.matches(salt, hash, (secret + "x").getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(DeviceSecrets.matches(salt, hash, null)).isFalse();
        assertThat(DeviceSecrets.matches(secrets.newSalt(), hash, secret.getBytes(StandardCharsets.UTF_8)))
                .as("the salt is part of the hash").isFalse();
    }

    @Test
    void aRevokedDeviceIsRefusedEvenWithTheRightSecret() {
        String secret = secrets.newSecret();
        byte[] salt = secrets.newSalt();
        byte[] hash = DeviceSecrets.hash(salt, secret);
        byte[] presented = secret.getBytes(StandardCharsets.UTF_8);

        assertThat(new DeviceIdentity(1, "S", List.of(), salt, hash, false).accepts(presented)).isTrue();
        assertThat(new DeviceIdentity(1, "S", List.of(), salt, hash, true).accepts(presented)).isFalse();
    }

    @Test
    void secretsAreNotRepeated() {
        assertThat(secrets.newSecret()).isNotEqualTo(secrets.newSecret());
    }
}
