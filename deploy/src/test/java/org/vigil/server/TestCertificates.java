package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Self-signed certificates for 127.0.0.1 made with openssl, as an operator would, and clients that trust them. */
public final class TestCertificates {

    /** A PEM certificate and its private key. */
    public record Pair(Path cert, Path key) {
    }

    private TestCertificates() {
    }

    /** An RSA certificate for 127.0.0.1 and localhost with its PKCS#8 key, named {@code name}-cert.pem/-key.pem. */
    public static Pair rsa(Path dir, String name) throws Exception {
        Pair pair = new Pair(dir.resolve(name + "-cert.pem"), dir.resolve(name + "-key.pem"));
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", pair.key().toString(), "-out", pair.cert().toString());
        return pair;
    }

    /** An EC (P-256) certificate with its key in SEC1 form ({@code BEGIN EC PRIVATE KEY}). */
    public static Pair ec(Path dir, String name) throws Exception {
        Pair pair = new Pair(dir.resolve(name + "-cert.pem"), dir.resolve(name + "-key.pem"));
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", pair.key().toString());
        openssl("req", "-x509", "-new", "-key", pair.key().toString(), "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1", "-out", pair.cert().toString());
        return pair;
    }

    /** The same RSA key in PKCS#1 form ({@code BEGIN RSA PRIVATE KEY}), as older tools write it. */
    public static Path pkcs1(Pair rsa, Path dir) throws Exception {
        Path out = dir.resolve("pkcs1-" + rsa.key().getFileName());
        openssl("rsa", "-in", rsa.key().toString(), "-traditional", "-out", out.toString());
        return out;
    }

    private static void openssl(String... args) throws Exception {
        Process openssl = new ProcessBuilder(concat("openssl", args)).redirectErrorStream(true).start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(new String(openssl.getInputStream().readAllBytes())).isZero();
    }

    private static List<String> concat(String first, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }

    /** A TLS context that trusts only this certificate. */
    public static SSLContext trusting(Path certPem) throws Exception {
        Certificate certificate;
        try (InputStream in = Files.newInputStream(certPem)) {
            certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("vigil", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
