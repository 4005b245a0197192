package org.vigil.common.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Checks a PEM certificate chain and private key at start-up, the way the TLS listeners will load them
 * ({@link PemKeyCertOptions}: PKCS#8, PKCS#1 RSA or SEC1 EC keys), so that a wrong file stops the server with a
 * message naming the setting at fault instead of failing every handshake later. A key that parses but belongs to
 * another certificate is caught too: the listener would accept it and no client could ever connect.
 */
public final class TlsFiles {

    private static final byte[] PROBE = "vigil tls key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private TlsFiles() {
    }

    /**
     * A PEM certificate chain and its private key, as a listener's settings name them.
     *
     * @param cert the certificate chain, the listener's own certificate first
     * @param key  the private key of that certificate
     */
    public record Pair(Path cert, Path key) {
    }

    /**
     * A TLS listener as configured: its port, and the certificate and key it presents.
     *
     * @param port     the port it listens on (0: any free port)
     * @param certPath PEM certificate chain, the listener's own certificate first
     * @param keyPath  PEM private key of that certificate (PKCS#8, PKCS#1 RSA or EC)
     */
    public record Listener(int port, Path certPath, Path keyPath) {
    }

    /**
     * The TLS listener a port setting and a certificate and key setting configure; empty when neither file is set.
     *
     * @throws ConfigException as {@link #configured} does, or naming the port setting when it is not a port
     */
    public static Optional<Listener> listener(Settings settings, String portSetting, int defaultPort,
            String certSetting, String keySetting, String incomplete) {
        return configured(settings, certSetting, keySetting, incomplete)
                .map(files -> new Listener(settings.integer(portSetting, defaultPort, 0, 65535), files.cert(),
                        files.key()));
    }

    /**
     * The certificate and key a listener is configured with, set together or not at all.
     *
     * @param certSetting the setting that names the certificate
     * @param keySetting  the setting that names the key
     * @param incomplete  what is wrong when only one of them is set
     * @return empty when neither is set
     * @throws ConfigException naming the setting that is missing when only the other is set
     */
    public static Optional<Pair> configured(Settings settings, String certSetting, String keySetting,
            String incomplete) {
        Optional<String> cert = settings.optional(certSetting);
        Optional<String> key = settings.optional(keySetting);
        if (cert.isEmpty() && key.isEmpty()) {
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new ConfigException(cert.isEmpty() ? certSetting : keySetting, incomplete);
        }
        return Optional.of(new Pair(Path.of(cert.get()), Path.of(key.get())));
    }

    /**
     * @param certSetting the name of the setting that points at the certificate, for messages
     * @param keySetting  the name of the setting that points at the key, for messages
     * @throws ConfigException naming the setting at fault
     */
    public static void check(String certSetting, Path cert, String keySetting, Path key) {
        byte[] certPem = read(certSetting, cert);
        byte[] keyPem = read(keySetting, key);
        X509Certificate leaf = leaf(certSetting, cert, certPem);
        X509KeyManager keys;
        try {
            KeyManager[] managers = new PemKeyCertOptions().setCertValue(Buffer.buffer(certPem))
                    .setKeyValue(Buffer.buffer(keyPem))
                    // Values, not paths: nothing is read through Vert.x, so no instance is needed.
                    .getKeyManagerFactory(null).getKeyManagers();
            keys = (X509KeyManager) managers[0];
        } catch (Exception e) {
            throw new ConfigException(keySetting, key + " is not a PEM private key (PKCS#8, PKCS#1 RSA or EC) for the"
                    + " certificate in " + certSetting + ": " + e.getMessage());
        }
        String algorithm = leaf.getPublicKey().getAlgorithm();
        String[] aliases = keys.getServerAliases(algorithm, null);
        if (aliases == null || aliases.length == 0) {
            throw new ConfigException(keySetting, key + " does not fit the certificate in " + certSetting);
        }
        requireMatch(keySetting, key, certSetting, keys.getPrivateKey(aliases[0]), leaf);
    }

    private static byte[] read(String setting, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(setting, "cannot read " + file + " (" + e.getMessage() + ")");
        }
    }

    private static X509Certificate leaf(String setting, Path file, byte[] pem) {
        Collection<? extends Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
        } catch (CertificateException e) {
            throw new ConfigException(setting, file + " is not a PEM certificate chain: " + e.getMessage());
        }
        if (chain.isEmpty() || !(chain.iterator().next() instanceof X509Certificate leaf)) {
            throw new ConfigException(setting, file + " holds no PEM certificate");
        }
        return leaf;
    }

    /** Signs with the key and verifies with the certificate: only the certificate's own key passes. */
    private static void requireMatch(String keySetting, Path key, String certSetting, PrivateKey privateKey,
            X509Certificate leaf) {
        String signature = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (signature == null) {
            return;
        }
        boolean matches;
        try {
            Signature signer = Signature.getInstance(signature);
            signer.initSign(privateKey);
            signer.update(PROBE);
            byte[] signed = signer.sign();
            Signature verifier = Signature.getInstance(signature);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(PROBE);
            matches = verifier.verify(signed);
        } catch (java.security.GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new ConfigException(keySetting, key + " is not the private key of the certificate in " + certSetting
                    + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
    }
}
