package org.vigil.registry.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Console passwords, hashed with Argon2id (RFC 9106) by Bouncy Castle and stored as a PHC string
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, the OWASP minimum), so the parameters travel with each hash
 * and can be raised later without invalidating old ones. Hashing costs tens of milliseconds and 19 MiB on purpose:
 * call it on a worker thread, never on an event loop.
 */
public final class Passwords {

    /** Shorter is guessable; longer than this is a denial-of-service vector, not a password. */
    public static final int MIN_LENGTH = 10;
    public static final int MAX_LENGTH = 200;

    private static final int MEMORY_KIB = 19 * 1024;
    private static final int ITERATIONS = 2;
    private static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final SecureRandom random;
    /** A hash of a password nobody has, checked for unknown logins so they take as long as known ones. */
    private final String decoy;

    public Passwords(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
        this.decoy = hash("decoy password that is never used " + random.nextLong());
    }

    /** A new PHC string for the password, with a fresh random salt. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$" + B64.encodeToString(salt)
                + "$" + B64.encodeToString(hash);
    }

    /** Whether the password matches the PHC string; {@code null} (no password set yet) never matches. */
    public boolean verify(String password, String phc) {
        if (phc == null) {
            verify(password, decoy);
            return false;
        }
        String[] parts = phc.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6 || !"argon2id".equals(parts[1]) || !"v=19".equals(parts[2])) {
            return false;
        }
        int m = 0;
        int t = 0;
        int p = 0;
        for (String kv : parts[3].split(",")) {
            int value = Integer.parseInt(kv.substring(2));
            switch (kv.charAt(0)) {
                case 'm' -> m = value;
                case 't' -> t = value;
                case 'p' -> p = value;
                default -> {
                    return false;
                }
            }
        }
        byte[] expected = B64D.decode(parts[5]);
        byte[] actual = derive(password, B64D.decode(parts[4]), m, t, p, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** Spends the time of a real check, for a login that does not exist. */
    public void decoyCheck(String password) {
        verify(password, decoy);
    }

    private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism,
            int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build());
        byte[] out = new byte[length];
        byte[] secret = password.getBytes(StandardCharsets.UTF_8);
        generator.generateBytes(secret, out);
        Arrays.fill(secret, (byte) 0);
        return out;
    }
}
