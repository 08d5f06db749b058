package dev.egressguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.core.tls.TunnelMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls block and the TLS keys of destinations entries: loaded, checked across entries, rendered without secrets, linted. */
class TlsLoadingTest {
    static final String SECRET = "ghp_s3cret_value";
    @TempDir
    static Path dir;
    static Path token;
    static Path caCert;
    static Path caKey;

    @BeforeAll
    static void files() throws Exception {
        token = Files.writeString(dir.resolve("token"), SECRET + "\n");
        Path ks = dir.resolve("ca.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test ca", "-ext", "bc:c=ca:true",
                "-validity", "2", "-keystore", ks.toString(), "-storepass", "changeit", "-storetype", "PKCS12");
        caCert = dir.resolve("ca.pem");
        run(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ks.toString(), "-storepass", "changeit", "-file", caCert.toString());
        caKey = Files.writeString(dir.resolve("ca-key.pem"), "-----BEGIN PRIVATE KEY-----\nnot parsed here\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(caKey, PosixFilePermissions.fromString("rw-------"));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    static String github(String credentialSecret) {
        return "    - host: api.github.com\n"
                + "      rules:\n"
                + "        - {methods: [GET, HEAD], path: \"/repos/my-org/**\", action: allow}\n"
                + "        - {methods: [POST], path: \"/gists\", action: deny, reason: \"no gists\"}\n"
                + "      credential:\n"
                + "        secret: " + credentialSecret + "\n"
                + "        header: Authorization\n"
                + "        format: \"Bearer {secret}\"\n";
    }

    static PolicyFile parse(String yaml) {
        return PolicyFileLoader.parse(yaml, "t.yaml");
    }

    static List<String> errors(String yaml) {
        try {
            parse(yaml);
            throw new AssertionError("loaded: " + yaml);
        } catch (ConfigException e) {
            return e.problems().stream().map(ConfigProblem::message).collect(Collectors.toList());
        }
    }

    @Test
    void theContractLoads() {
        PolicyFile f = parse("audit:\n  paths: true\n"
                + "tls:\n  ca: {cert: " + caCert + ", key: " + caKey + "}\n  caCertOut: /run/egressguard/ca.pem\n"
                + "  upstreamTrust: [" + caCert + "]\n  stripHeaders: [X-Goog-Api-Key]\n"
                + "  intercept:\n" + github("{file: " + token + "}")
                + "  passthrough: [\"*.pinned.example\"]\n");
        TlsSettings tls = f.tls();
        assertThat(f.audit().paths()).isTrue();
        assertThat(tls.ca().isEphemeral()).isFalse();
        assertThat(tls.ca().keyPem()).isPresent();
        assertThat(tls.caCertOut()).contains(Path.of("/run/egressguard/ca.pem"));
        assertThat(tls.upstreamRoots()).hasSize(1);
        InterceptEntry e = tls.tunnels().global().intercept().get(0);
        assertThat(e.id()).isEqualTo("tls.intercept[0]");
        assertThat(e.rules()).extracting(r -> r.id()).containsExactly("tls.intercept[0].rules[0]", "tls.intercept[0].rules[1]");
        assertThat(e.credential().orElseThrow().value()).isEqualTo("Bearer " + SECRET);
        assertThat(tls.tunnels().modeFor(Optional.empty(), "api.github.com", 443)).isEqualTo(new TunnelMode.Intercept(e));
        assertThat(tls.tunnels().modeFor(Optional.empty(), "a.pinned.example", 443)).isInstanceOf(TunnelMode.Passthrough.class);
        assertThat(tls.tunnels().strippedHeaders()).contains("x-goog-api-key");
    }

    @Test
    void withoutATlsBlockNothingChanges() {
        assertThat(PolicyFileLoader.embeddedDefault().tls().isConfigured()).isFalse();
        assertThat(parse("mode: enforce\n").tls().tunnels().modeFor(Optional.empty(), "api.github.com", 443)).isEqualTo(TunnelMode.PLAIN);
        assertThat(parse("tls:\n  passthrough: [\"*.pinned.example\"]\n").tls().tunnels().modeFor(Optional.empty(), "a.example", 443))
                .isEqualTo(TunnelMode.NOT_INTERCEPTED);
        assertThat(parse("tls:\n  intercept:\n    - host: api.example\n      rules: []\n").tls().ca().isEphemeral()).isTrue();
    }

    @Test
    void eachIdentityGetsItsOwnEntries() {
        PolicyFile f = parse("identities:\n  - name: coder\n    clients: [10.1.0.0/16]\n"
                + "destinations:\n  default:\n    default: allow\n  coder:\n    default: deny\n    allow: [api.github.com]\n"
                + "    intercept:\n" + github("{file: " + token + "}").replace("    - host", "      - host").replace("\n      ", "\n        ")
                + "    passthrough: [uploads.github.com]\n");
        InterceptEntry own = f.tls().tunnels().byEntry().get("coder").intercept().get(0);
        assertThat(own.id()).isEqualTo("destinations.coder.intercept[0]");
        assertThat(f.tls().tunnels().modeFor(Optional.of("coder"), "api.github.com", 443)).isEqualTo(new TunnelMode.Intercept(own));
        assertThat(f.tls().tunnels().modeFor(Optional.of("default"), "api.github.com", 443)).isEqualTo(TunnelMode.NOT_INTERCEPTED);
        String rendered = EffectivePolicyYaml.render(f);
        assertThat(rendered).contains("    intercept:\n      - host: api.github.com").contains("    passthrough: [uploads.github.com]");
        assertThat(parse(rendered).tls().tunnels().byEntry().get("coder").intercept()).hasSize(1);
    }

    @Test
    void theEffectivePolicyNamesWhereSecretsComeFromAndNeverTheirValues() {
        PolicyFile f = parse("tls:\n  intercept:\n" + github("{file: " + token + "}"));
        String y = EffectivePolicyYaml.render(f);
        assertThat(y).doesNotContain(SECRET).contains("secret: {file: \"" + token + "\"}").contains("format: \"Bearer {secret}\"")
                .contains("ca: ephemeral");
        PolicyFile again = parse(y);
        assertThat(again.tls().tunnels().global().intercept().get(0).credential().orElseThrow().value()).isEqualTo("Bearer " + SECRET);
        assertThat(EffectivePolicyYaml.render(again)).isEqualTo(y.replace("source: t.yaml", "source: t.yaml"));
    }

    @Test
    void aSecretTheProxyCannotReadIsAnError() throws Exception {
        assertThat(errors("tls:\n  intercept:\n" + github("{file: " + dir.resolve("missing") + "}")))
                .anyMatch(m -> m.startsWith("tls.intercept[0].credential.secret.file: ") && m.contains("a readable file holding the secret"));
        assertThat(errors("tls:\n  intercept:\n" + github("{env: EG_SURELY_NOT_SET_7731}")))
                .anyMatch(m -> m.startsWith("tls.intercept[0].credential.secret.env: \"EG_SURELY_NOT_SET_7731\""));
        Path twoLines = Files.writeString(dir.resolve("two-lines"), "a\nb\n");
        assertThat(errors("tls:\n  intercept:\n" + github("{file: " + twoLines + "}")))
                .anyMatch(m -> m.contains("without control characters (it goes into a header)"));
        assertThat(errors("tls:\n  intercept:\n" + github("{file: " + token + ", env: X}"))).anyMatch(m -> m.contains("{env: NAME} or {file: FILE}"));
    }

    @Test
    void aCredentialForAHostThatIsNotInterceptedIsAnError() {
        List<String> e = errors("tls:\n  intercept:\n" + github("{file: " + token + "}") + "  passthrough: [\"*.github.com\"]\n");
        assertThat(e).singleElement().asString().startsWith("tls.intercept[0].credential: \"api.github.com\"")
                .contains("tls.passthrough[0]:*.github.com passes it through");
        List<String> shadowed = errors("tls:\n  intercept:\n    - host: \"*.github.com\"\n      rules: []\n" + github("{file: " + token + "}"));
        assertThat(shadowed).singleElement().asString().startsWith("tls.intercept[1].credential").contains("tls.intercept[0] intercepts it first");
    }

    @Test
    void anInterceptedHostNoDestinationRuleLetsThroughIsAnError() {
        String destinations = "destinations:\n  default:\n    default: deny\n    allow: [pypi.org]\n";
        assertThat(errors(destinations + "tls:\n  intercept:\n" + github("{file: " + token + "}")))
                .singleElement().asString().startsWith("tls.intercept[0].host: \"api.github.com\" (expected: a host some destinations entry lets through");
        assertThat(parse("destinations:\n  default:\n    default: deny\n    allow: [\"*.github.com\"]\n"
                + "tls:\n  intercept:\n" + github("{file: " + token + "}")).tls().intercepts()).isTrue();
        assertThat(parse("destinations:\n  default:\n    default: deny\n    allow: [api.github.com]\n"
                + "tls:\n  intercept:\n    - host: \"*.github.com\"\n      rules: []\n").tls().intercepts()).as("some host under the wildcard").isTrue();
    }

    @Test
    void theCaKeyMustBeTheOwnersAloneAndNoSymlink() throws Exception {
        Path open = Files.copy(caKey, dir.resolve("open-key.pem"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(errors("tls:\n  ca: {cert: " + caCert + ", key: " + open + "}\n"))
                .singleElement().asString().contains("a key file only its owner can read (chmod 600");
        Path link = Files.createSymbolicLink(dir.resolve("link-key.pem"), caKey);
        assertThat(errors("tls:\n  ca: {cert: " + caCert + ", key: " + link + "}\n"))
                .singleElement().asString().contains("not a symbolic link");
        assertThat(errors("tls:\n  ca: {cert: " + token + ", key: " + caKey + "}\n"))
                .singleElement().asString().contains("a file of PEM certificates");
        assertThat(errors("tls:\n  ca: mine\n")).singleElement().asString().contains("ephemeral, or {cert: FILE, key: FILE}");
    }

    @Test
    void everyShapeProblemIsReportedAtItsKey() {
        List<String> e = errors("tls:\n  upstreamTrust: [" + token + "]\n  intercept:\n"
                + "    - host: 10.0.0.1\n      rules: []\n"
                + "    - host: api.example\n      rules:\n        - {methods: [get], path: \"/a/../b\", action: maybe}\n"
                + "        - {path: \"/x\", action: ask}\n"
                + "      credential: {secret: {file: " + token + "}, header: Content-Length, format: \"Bearer\"}\n"
                + "  bogus: 1\n");
        assertThat(e).anyMatch(m -> m.startsWith("tls.upstreamTrust[0]: ") && m.contains("a file of PEM certificates"))
                .anyMatch(m -> m.startsWith("tls.intercept[0].host: \"10.0.0.1\" (expected: a hostname or *.suffix"))
                .anyMatch(m -> m.startsWith("tls.intercept[1].rules[0].methods[0]: \"get\""))
                .anyMatch(m -> m.startsWith("tls.intercept[1].rules[0].path: \"/a/../b\""))
                .anyMatch(m -> m.startsWith("tls.intercept[1].rules[0].action: \"maybe\""))
                .anyMatch(m -> m.startsWith("tls.intercept[1].rules[1].action: \"ask\" (expected: approvals.url to be set"))
                .anyMatch(m -> m.startsWith("tls.intercept[1].credential.header: \"Content-Length\""))
                .anyMatch(m -> m.startsWith("tls.intercept[1].credential.format: \"Bearer\""))
                .anyMatch(m -> m.startsWith("tls.bogus: \"bogus\""));
        assertThat(String.join("\n", e)).doesNotContain(SECRET);
    }

    @Test
    void lintWarnsAboutInterceptsThatDenyEverythingOrCarryNoCredential() {
        List<String> w = PolicyLinter.lint(parse("tls:\n  intercept:\n    - host: \"*.com\"\n      rules: []\n")).stream()
                .map(LintWarning::toString).collect(Collectors.toList());
        assertThat(w).anyMatch(s -> s.startsWith("tls.intercept[0].rules: no rules: every request"))
                .anyMatch(s -> s.contains("every host under a whole top-level domain"))
                .anyMatch(s -> s.startsWith("tls.intercept[0]: no credential"));
        assertThat(PolicyLinter.lint(parse("tls:\n  intercept:\n" + github("{file: " + token + "}")))).isEmpty();
    }
}
