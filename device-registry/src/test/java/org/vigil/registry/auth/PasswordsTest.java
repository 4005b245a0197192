package org.vigil.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PasswordsTest {

    private final Passwords passwords = new Passwords(new SecureRandom());

    @Test
    void aHashIsAnArgon2idPhcStringWithItsParametersAndAFreshSalt() {
        String first = passwords.hash("correct horse battery");
        String second = passwords.hash("correct horse battery");
        assertThat(first).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(first.split("\\$")).hasSize(6);
        assertThat(second).as("a new salt each time").isNotEqualTo(first);
    }

    @Test
    void onlyThePasswordItWasMadeFromMatches() {
        String hash = passwords.hash("correct horse battery");
        assertThat(passwords.verify("correct horse battery", hash)).isTrue();
        assertThat(passwords.verify("correct horse batterY", hash)).isFalse();
        assertThat(passwords.verify("", hash)).isFalse();
    }

    @Test
    void noPasswordSetAndForeignHashesNeverMatch() {
        assertThat(passwords.verify("anything at all", null)).isFalse();
        assertThat(passwords.verify("anything at all", "$2a$10$abcdefghijklmnopqrstuv")).isFalse();
        assertThat(passwords.verify("anything at all", "plain text")).isFalse();
    }

    @Test
    void theStoredParametersAreTheOnesUsedToCheck() {
        // The parameters are read from the string: the same hash claiming three iterations no longer matches.
        String hash = passwords.hash("correct horse battery").replace("m=19456,t=2", "m=19456,t=3");
        assertThat(passwords.verify("correct horse battery", hash)).as("same hash, other iterations").isFalse();
    }
}
