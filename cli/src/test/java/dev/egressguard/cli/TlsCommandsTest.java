package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.server.support.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ca show}, {@code policy lint} of a CA, and {@code check --method --path} for intercepted hosts (docs/tls.md). */
class TlsCommandsTest {
    @TempDir
    static Path dir;
    static Path policy;
    static TestCa ca;

    @BeforeAll
    static void files() throws Exception {
        ca = TestCa.create("operator CA");
        Path token = Files.writeString(dir.resolve("token"), "t0ken");
        policy = Files.writeString(dir.resolve("policy.yaml"), "tls:\n"
                + "  ca: {cert: " + ca.writePem(dir.resolve("ca.pem")) + ", key: " + ca.writeKey(dir.resolve("ca-key.pem")) + "}\n"
                + "  intercept:\n"
                + "    - host: api.github.com\n"
                + "      rules:\n"
                + "        - {methods: [GET, HEAD], path: \"/repos/my-org/**\", action: allow}\n"
                + "        - {methods: [POST], path: /gists, action: deny, reason: no gists}\n"
                + "      credential: {secret: {file: " + token + "}, header: Authorization, format: \"Bearer {secret}\"}\n"
                + "  passthrough: [\"*.pinned.example\"]\n");
    }

    @Test
    void caShowPrintsTheOperatorsCaAfterCheckingItsKey() throws Exception {
        CommandRun run = CommandRun.of("ca", "show", "--policy", policy.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(Files.readString(dir.resolve("ca.pem")));
        Path wrongKey = TestCa.create("another").writeKey(dir.resolve("wrong-key.pem"));
        Path mismatched = Files.writeString(dir.resolve("mismatched.yaml"), Files.readString(policy).replace(dir.resolve("ca-key.pem").toString(),
                wrongKey.toString()));
        CommandRun bad = CommandRun.of("ca", "show", "--policy", mismatched.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("tls.ca.key: the key is not the key of tls.ca.cert");
        CommandRun lint = CommandRun.of("policy", "lint", "-q", mismatched.toString());
        assertThat(lint.exit()).isEqualTo(2);
        assertThat(lint.err()).contains("the key is not the key of tls.ca.cert");
        assertThat(CommandRun.of("policy", "lint", "-q", policy.toString()).exit()).isZero();
    }

    @Test
    void anEphemeralCaIsFetchedFromTheRunningProxy() throws Exception {
        Path ephemeral = Files.writeString(dir.resolve("ephemeral.yaml"), "tls:\n  intercept:\n    - host: api.example\n      rules: []\n");
        CommandRun run = CommandRun.of("ca", "show", "--policy", ephemeral.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("tls.ca is ephemeral").contains("/ca.pem").contains("tls.caCertOut");
        CommandRun none = CommandRun.of("ca", "show", "--policy", Files.writeString(dir.resolve("none.yaml"), "mode: enforce\n").toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("has no tls block");
    }

    @Test
    void checkExplainsTheRequestInsideAnInterceptedTunnel() throws Exception {
        CommandRun denied = CommandRun.of("check", "--no-resolve", "--policy", policy.toString(), "--method", "POST", "--path", "/gists",
                "api.github.com:443");
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.out()).contains("intercepted by tls.intercept[0]: POST /gists  deny  http.rule_denied  rule=tls.intercept[0].rules[1]")
                .contains("message=no gists");
        CommandRun allowed = CommandRun.of("check", "--no-resolve", "--policy", policy.toString(), "https://api.github.com/repos/my-org/tools?x=1");
        assertThat(allowed.exit()).isZero();
        assertThat(allowed.out()).contains("intercepted by tls.intercept[0]: GET /repos/my-org/tools  allow  http.rule_allowed  rule=tls.intercept[0].rules[0]");
        CommandRun cleartext = CommandRun.of("check", "--no-resolve", "--policy", policy.toString(), "http://api.github.com/repos/my-org/tools");
        assertThat(cleartext.exit()).isEqualTo(1);
        assertThat(cleartext.out()).contains("deny  tls.cleartext_refused  rule=tls.intercept[0]");
        CommandRun passthrough = CommandRun.of("check", "--no-resolve", "--policy", policy.toString(), "app.pinned.example:443");
        assertThat(passthrough.out()).contains("tls: not intercepted (tls.passthrough[0]:*.pinned.example); relayed after the SNI check");
        JsonNode json = new ObjectMapper().readTree(CommandRun.of("check", "--json", "--no-resolve", "--policy", policy.toString(),
                "--method", "DELETE", "--path", "/repos/my-org/../x", "api.github.com:443").out());
        assertThat(json.get("intercept").get("reason").asText()).isEqualTo("http.path_invalid");
        assertThat(json.get("intercept").get("rule").asText()).isEqualTo("path:dot-segment");
        assertThat(json.get("intercept").get("verdict").asText()).isEqualTo("deny");
    }
}
