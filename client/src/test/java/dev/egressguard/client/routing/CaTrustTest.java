package dev.egressguard.client.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust files {@code run --ca} hands a child, and {@code proxy.caFile} in the runtime config (docs/tls.md). */
class CaTrustTest {
    @TempDir
    static Path dir;
    static Path caPem;
    static Path leafPem;

    @BeforeAll
    static void certificates() throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path ks = dir.resolve("ks.p12");
        run(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=proxy ca", "-ext", "bc:c=ca:true",
                "-validity", "2", "-keystore", ks.toString(), "-storepass", "changeit", "-storetype", "PKCS12");
        run(keytool, "-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=leaf", "-validity", "2",
                "-keystore", ks.toString(), "-storepass", "changeit", "-storetype", "PKCS12");
        caPem = dir.resolve("ca.pem");
        leafPem = dir.resolve("leaf.pem");
        run(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ks.toString(), "-storepass", "changeit", "-file", caPem.toString());
        run(keytool, "-exportcert", "-rfc", "-alias", "leaf", "-keystore", ks.toString(), "-storepass", "changeit", "-file", leafPem.toString());
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void theBundleIsTheSystemRootsPlusTheCaAndTheChildGetsEveryVariable() throws Exception {
        List<X509Certificate> ca = CaBundles.read(caPem);
        Path roots = Files.writeString(dir.resolve("roots.pem"), Files.readString(leafPem).replace("leaf", "root"));
        CaBundles.Written w = CaBundles.write(ca, dir.resolve("child"), Map.of("SSL_CERT_FILE", roots.toString()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("child")))).isEqualTo("rwx------");
        assertThat(CaBundles.certificates(Files.readAllBytes(w.ca()))).isEqualTo(ca);
        List<X509Certificate> bundle = CaBundles.certificates(Files.readAllBytes(w.bundle()));
        assertThat(bundle).hasSize(2).endsWith(ca.get(0));
        Map<String, String> env = new HashMap<>();
        ChildEnvironment.applyCa(env, w);
        for (String v : List.of("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "PIP_CERT", "npm_config_cafile")) {
            assertThat(env).containsEntry(v, w.bundle().toString());
        }
        assertThat(env).containsEntry("NODE_EXTRA_CA_CERTS", w.ca().toString()).containsEntry("EGRESSGUARD_CA_FILE", w.ca().toString());
    }

    @Test
    void withoutASystemBundleTheJdksRootsStandIn() {
        String roots = CaBundles.systemRoots(Map.of("SSL_CERT_FILE", dir.resolve("missing.pem").toString()));
        assertThat(CaBundles.certificates(roots.getBytes())).hasSizeGreaterThan(10);
    }

    @Test
    void onlyACaCertificateIsAccepted() throws Exception {
        assertThatThrownBy(() -> CaBundles.read(leafPem)).isInstanceOf(ProxyRoutingException.class).hasMessageContaining("holds no CA certificate");
        assertThatThrownBy(() -> CaBundles.read(dir.resolve("missing.pem"))).isInstanceOf(ProxyRoutingException.class)
                .hasMessageContaining("cannot be read");
    }

    @Test
    void proxyCaFileIsCheckedAsItIsWrittenAndReadBack() throws Exception {
        Path config = dir.resolve("config.yaml");
        RuntimeConfigFile.load(config).with(RuntimeConfigFile.CA_FILE, caPem.toString()).save();
        assertThat(RoutingConfig.caFile(Optional.of(config), Map.of(), dir)).contains(caPem.toAbsolutePath().normalize());
        assertThatThrownBy(() -> RuntimeConfigFile.load(config).with(RuntimeConfigFile.CA_FILE, leafPem.toString()))
                .isInstanceOf(RuntimeConfigException.class).hasMessageStartingWith("proxy.caFile: the CA file");
    }
}
