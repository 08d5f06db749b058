package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode checkJson(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("check", "--json", "--no-resolve"));
        args.addAll(List.of(extra));
        CommandRun run = CommandRun.of(args.toArray(String[]::new));
        assertThat(run.err()).isEmpty();
        return JSON.readTree(run.out());
    }

    /** Hostile and ordinary targets: each gets a verdict, a stable reason and a rule. */
    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1|deny|ip.loopback|default:127.0.0.0/8",
        "http://127.0.0.1:6379/|deny|ip.loopback|default:127.0.0.0/8",
        "http://0x7f000001/|deny|ip.loopback|default:127.0.0.0/8",
        "http://2130706433/|deny|ip.loopback|default:127.0.0.0/8",
        "http://0177.0.0.1/|deny|ip.loopback|default:127.0.0.0/8",
        "http://%31%32%37.0.0.1/|deny|ip.loopback|default:127.0.0.0/8",
        "http://attacker.com@169.254.169.254/latest/meta-data/|deny|ip.metadata|default:169.254.169.254/32",
        "169.254.169.254:80|deny|ip.metadata|default:169.254.169.254/32",
        "[::1]:443|deny|ip.loopback|default:::1/128",
        "::1|deny|ip.loopback|default:::1/128",
        "[::ffff:127.0.0.1]:443|deny|ip.embedded_ipv4|default:::ffff:0:0/96",
        "http://[64:ff9b::a9fe:a9fe]/|deny|ip.embedded_ipv4|default:64:ff9b::/96",
        "[2002:7f00:1::]:80|deny|ip.embedded_ipv4|default:2002::/16",
        "[2001:4860:1::5efe:7f00:1]:80|deny|ip.embedded_ipv4|default:127.0.0.0/8 via isatap",
        "0177.0.0.1|deny|host.legacy_ipv4_literal|default:non-canonical-ipv4",
        "127.1:80|deny|host.legacy_ipv4_literal|default:non-canonical-ipv4",
        "0x7f.1|deny|host.legacy_ipv4_literal|default:non-canonical-ipv4",
        "08.0.0.1|deny|host.legacy_ipv4_literal|default:non-canonical-ipv4",
        "localhost:8080|deny|host.blocked_name|default:localhost",
        "LOCALHOST.|deny|host.blocked_name|default:localhost",
        "api.localhost|deny|host.blocked_name|default:*.localhost",
        "metadata.google.internal|deny|host.blocked_name|default:metadata.google.internal",
        "printer.local|deny|host.blocked_name|default:*.local",
        "ws://localhost.localdomain/socket|deny|host.blocked_name|default:localhost.localdomain",
        "fe80::1%eth0|deny|ip.link_local|default:fe80::/10",
        "10.0.0.1|deny|ip.private|default:10.0.0.0/8",
        "100.64.0.1|deny|ip.cgnat|default:100.64.0.0/10",
        "198.18.0.1|deny|ip.benchmark|default:198.18.0.0/15",
        "240.0.0.1|deny|ip.reserved|default:240.0.0.0/4",
        "255.255.255.255|deny|ip.reserved|default:240.0.0.0/4",
        "ff02::1|deny|ip.multicast|default:ff00::/8",
        "ftp://example.com/|deny|url.unsupported_scheme|",
        "file:///etc/passwd|deny|url.unsupported_scheme|",
        "http://1.2.3.4.5/|deny|url.invalid|",
        "http://[::1/|deny|url.invalid|",
        "http://example.com:99999/|deny|url.invalid|",
        "http://exa mple.com/|deny|url.invalid|",
        "not a url|deny|host.invalid|",
        "http://\u180Flocalhost/|deny|url.invalid|",
        "http://\u2064localhost/|deny|url.invalid|",
        "\u2064localhost:8080|deny|host.invalid|",
        "http://\u00ADlocalhost/|deny|host.blocked_name|default:localhost",
        "a/b|deny|host.invalid|",
        "exa%00mple.com|deny|host.invalid|",
        "example.com:0|deny|host.invalid|",
        "8.8.8.8|allow|ip.public|",
        "https://example.com/|allow|host.not_resolved|",
        "example.com:443|allow|host.not_resolved|",
        "wss://api.example.com/stream|allow|host.not_resolved|",
    })
    void explainsEachTarget(String target, String verdict, String reason, String rule) throws IOException {
        JsonNode j = checkJson(target);
        assertThat(j.get("input").asText()).isEqualTo(target);
        assertThat(j.get("verdict").asText()).isEqualTo(verdict);
        assertThat(j.get("reason").asText()).isEqualTo(reason);
        if (rule == null) {
            assertThat(j.get("rule").isNull()).as("rule").isTrue();
        } else {
            assertThat(j.get("rule").asText()).isEqualTo(rule);
        }
        assertThat(j.get("addresses").isArray()).isTrue();
    }

    /** The JSON is one inert line whatever the target holds: line breaks of every kind, controls, markup. */
    @Test
    void jsonOutputIsOneLineWhateverTheTarget() throws IOException {
        String hostile = "http://a\u0085b\u2028c\u2029<x>&\u007f\u001b[2J\u0000/";
        CommandRun run = CommandRun.of("check", "--json", "--no-resolve", hostile, "bücher.example");
        String[] lines = run.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(run.out()).doesNotContain("\u0085").doesNotContain("\u2028").doesNotContain("\u2029").doesNotContain("\u007f")
                .doesNotContain("\u001b").doesNotContain("\u0000").doesNotContain("<").doesNotContain("&");
        assertThat(JSON.readTree(lines[0]).get("input").asText()).isEqualTo(hostile);
        assertThat(JSON.readTree(lines[0]).get("reason").asText()).isEqualTo("url.invalid");
        assertThat(lines[1]).contains("\"input\":\"bücher.example\""); // other text is written as itself
    }

    @Test
    void exitCodesFollowTheWorstVerdict() {
        assertThat(CommandRun.of("check", "--no-resolve", "8.8.8.8", "example.com").exit()).isEqualTo(0);
        assertThat(CommandRun.of("check", "--no-resolve", "8.8.8.8", "127.0.0.1").exit()).isEqualTo(1);
        CommandRun empty = CommandRun.of("check", "--no-resolve", "8.8.8.8", " ");
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("empty target");
        assertThat(CommandRun.of("check").exit()).isEqualTo(2);
        assertThat(CommandRun.of("check", "--embedded-ipv4", "nat64", "8.8.8.8").err()).contains("expected: decode or block-prefix");
    }

    @Test
    void embeddedIpv4ModeDecidesTransitionAddresses() throws IOException {
        assertThat(checkJson("64:ff9b::8.8.8.8").get("verdict").asText()).isEqualTo("deny");
        JsonNode decoded = checkJson("--embedded-ipv4", "decode", "64:ff9b::8.8.8.8");
        assertThat(decoded.get("verdict").asText()).isEqualTo("allow");
        assertThat(decoded.get("addresses").get(0).asText()).isEqualTo("64:ff9b::8.8.8.8");
        JsonNode loop = checkJson("--embedded-ipv4", "decode", "[2001::80ff:fefe]:80");
        assertThat(loop.get("reason").asText()).isEqualTo("ip.embedded_ipv4");
        assertThat(loop.get("rule").asText()).isEqualTo("default:127.0.0.0/8 via 2001::/32");
    }

    @Test
    void resolvedAnswersAreAllChecked() throws IOException {
        JsonNode mixed = checkJson("--resolve", "rebind.example=93.184.216.34,127.0.0.1", "https://rebind.example/");
        assertThat(mixed.get("verdict").asText()).isEqualTo("deny");
        assertThat(mixed.get("reason").asText()).isEqualTo("ip.loopback");
        assertThat(mixed.get("addresses")).hasSize(2);
        assertThat(mixed.get("port").asInt()).isEqualTo(443);
        JsonNode fine = checkJson("--resolve", "ok.example=93.184.216.34,2606:2800:220:1::1", "ok.example:443");
        assertThat(fine.get("verdict").asText()).isEqualTo("allow");
        assertThat(fine.get("reason").asText()).isEqualTo("ip.public");
        CommandRun bad = CommandRun.of("check", "--resolve", "x.example=not-an-ip", "x.example");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--resolve: \"x.example=not-an-ip\"");
    }

    @Test
    void aPolicyFileOpensExceptionsAndHostRulesResolveThroughTheSystemResolver(@TempDir Path dir) throws IOException {
        Path policy = dir.resolve("p.yaml");
        Files.writeString(policy, "allow:\n"
                + "  - cidr: 127.0.0.1/32\n    ports: [11434]\n    reason: model server\n"
                + "  - host: localhost\n    ports: [8080]\n    reason: dev server by name\n");
        CommandRun model = CommandRun.of("check", "--policy", policy.toString(), "--json", "http://127.0.0.1:11434/api");
        JsonNode m = JSON.readTree(model.out());
        assertThat(m.get("verdict").asText()).isEqualTo("allow");
        assertThat(m.get("reason").asText()).isEqualTo("allow.rule");
        assertThat(m.get("rule").asText()).isEqualTo("allow[0]:127.0.0.1/32");
        assertThat(model.exit()).isEqualTo(0);
        // localhost is resolved by the system resolver (/etc/hosts); only loopback answers are acceptable.
        CommandRun local = CommandRun.of("check", "--policy", policy.toString(), "--json", "localhost:8080");
        JsonNode l = JSON.readTree(local.out());
        assertThat(l.get("verdict").asText()).isEqualTo("allow");
        assertThat(l.get("rule").asText()).isEqualTo("allow[1]:localhost");
        assertThat(l.get("addresses")).isNotEmpty().allSatisfy(a -> assertThat(a.asText()).matches("127\\..*|::1"));
        assertThat(JSON.readTree(CommandRun.of("check", "--policy", policy.toString(), "--json", "localhost:9090").out())
                .get("reason").asText()).isEqualTo("host.blocked_name");
    }

    @Test
    void aBrokenPolicyFileIsAnInputErrorListingEveryProblem(@TempDir Path dir) throws IOException {
        Path policy = dir.resolve("bad.yaml");
        Files.writeString(policy, "mode: nope\nports: [0]\n");
        CommandRun run = CommandRun.of("check", "--policy", policy.toString(), "8.8.8.8");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(policy + ":1: mode: \"nope\" (expected: enforce or report)")
                .contains(policy + ":2: ports[0]: \"0\"").contains("2 error(s)");
    }

    @Test
    void readsTargetsFromStdin() throws IOException {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream("# a comment\n127.0.0.1\n\n8.8.8.8\n".getBytes(StandardCharsets.UTF_8)));
            CommandRun run = CommandRun.of("check", "--json", "-");
            String[] lines = run.out().split("\n");
            assertThat(lines).hasSize(2);
            assertThat(JSON.readTree(lines[0]).get("verdict").asText()).isEqualTo("deny");
            assertThat(JSON.readTree(lines[1]).get("verdict").asText()).isEqualTo("allow");
            assertThat(run.exit()).isEqualTo(1);
        } finally {
            System.setIn(saved);
        }
    }

    /** No targets is a usage error, not "all allowed". */
    @Test
    void emptyStdinIsAUsageError() {
        InputStream saved = System.in;
        try {
            for (String stdin : List.of("", "\n\n", "# only a comment\n   \n")) {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
                CommandRun run = CommandRun.of("check", "-");
                assertThat(run.exit()).as("stdin %s", stdin).isEqualTo(2);
                assertThat(run.out()).isEmpty();
                assertThat(run.err()).contains("check: no targets");
            }
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void stdinIsReadUpToItsLimit() {
        InputStream saved = System.in;
        try {
            System.setIn(new InputStream() { // /dev/zero as a pipe
                @Override
                public int read() {
                    return 0;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    java.util.Arrays.fill(b, off, off + len, (byte) 0);
                    return len;
                }
            });
            CommandRun run = CommandRun.of("check", "--no-resolve", "-");
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err()).contains("standard input is larger than " + CheckCommand.MAX_STDIN_BYTES + " bytes");
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void humanOutputNamesVerdictReasonRuleAndAddresses() {
        CommandRun run = CommandRun.of("check", "http://0x7f000001/");
        assertThat(run.out().strip()).isEqualTo("http://0x7f000001/  deny  ip.loopback  rule=default:127.0.0.0/8  "
                + "destination=127.0.0.1:80  addresses=127.0.0.1  (the address is loopback)");
    }
}
