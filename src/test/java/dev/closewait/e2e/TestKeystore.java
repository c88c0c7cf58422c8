package dev.closewait.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throw-away self-signed PKCS12 key store for TLS scenarios, made once per test run with the JDK's keytool. */
public final class TestKeystore {

    public static final String PASSWORD = "changeit";
    private static Path keystore;

    private TestKeystore() {
    }

    public static synchronized Path get(Jdk jdk) throws Exception {
        if (keystore == null) {
            Path file = TestPaths.workDir().resolve("tls/keystore.p12");
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Process keytool = new ProcessBuilder(List.of(jdk.keytool().toString(), "-genkeypair", "-alias", "test",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD,
                    "-keypass", PASSWORD)).redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes());
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            keystore = file;
        }
        return keystore;
    }

    /** Makes the child JVM use the key store as both its key and trust store. */
    public static ScenarioRun.Builder use(ScenarioRun.Builder run, Jdk jdk) throws Exception {
        Path store = get(jdk);
        return run.jvmOption("-Djavax.net.ssl.keyStore=" + store)
                .jvmOption("-Djavax.net.ssl.keyStorePassword=" + PASSWORD)
                .jvmOption("-Djavax.net.ssl.trustStore=" + store)
                .jvmOption("-Djavax.net.ssl.trustStorePassword=" + PASSWORD);
    }
}
