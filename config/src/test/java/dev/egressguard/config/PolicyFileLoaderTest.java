package dev.egressguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.core.classify.EmbeddedIpv4Mode;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.PortSet;
import dev.egressguard.core.policy.Reason;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class PolicyFileLoaderTest {
    private static Path fixtures(String kind) throws URISyntaxException {
        return Path.of(PolicyFileLoaderTest.class.getResource("/config/" + kind).toURI());
    }

    /** Each invalid fixture fails with exactly the problems in its .expected file (line: message), all at once. */
    @TestFactory
    Stream<DynamicTest> invalidFixturesReportEveryProblem() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(fixtures("invalid"))) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
            assertThat(yamls).hasSizeGreaterThanOrEqualTo(6);
            return yamls.stream().map(yaml -> DynamicTest.dynamicTest(yaml.getFileName().toString(), () -> {
                Path expectedFile = Path.of(yaml.toString().replace(".yaml", ".expected"));
                List<String> expected = Files.exists(expectedFile) ? readLines(expectedFile) : null;
                assertThatThrownBy(() -> PolicyFileLoader.load(yaml)).isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).allSatisfy(p -> assertThat(p.source()).isEqualTo(yaml.toString()));
                    if (expected != null) {
                        List<String> actual = e.problems().stream().map(p -> p.line() + ": " + p.message()).collect(Collectors.toList());
                        assertThat(actual).containsExactlyElementsOf(expected);
                    }
                    assertThat(e.getMessage()).startsWith(yaml.toString());
                });
            }));
        }
    }

    @Test
    void anAliasBombIsRefusedNotExpanded() throws URISyntaxException {
        Path bomb = fixtures("invalid").resolve("alias-bomb.yaml");
        assertThatThrownBy(() -> PolicyFileLoader.load(bomb)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alias");
    }

    @Test
    void theMessageFormatNamesPathValueAndExpectation() {
        assertThatThrownBy(() -> PolicyFileLoader.parse("allow:\n  - cidr: 10.0.0.0/33\n    ports: [443]\n    reason: x\n", "p.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("p.yaml:2: allow[0].cidr: \"10.0.0.0/33\" (expected: prefix length 0..32)");
    }

    @Test
    void anEmptyFileIsTheEmbeddedDefault() throws URISyntaxException {
        PolicyFile empty = PolicyFileLoader.load(fixtures("valid").resolve("minimal.yaml"));
        PolicyFile embedded = PolicyFileLoader.embeddedDefault();
        assertThat(withoutSourceLine(EffectivePolicyYaml.render(empty))).isEqualTo(withoutSourceLine(EffectivePolicyYaml.render(embedded)));
        assertThat(embedded.source()).isEqualTo(PolicyFile.EMBEDDED_SOURCE);
        assertThat(embedded.listen()).isEqualTo(HostPort.of("127.0.0.1", 3128));
        assertThat(embedded.clientsAllow()).containsExactly(IpRange.parse("127.0.0.0/8"), IpRange.parse("::1/128"));
        assertThat(embedded.policy().mode()).isEqualTo(EnforcementMode.ENFORCE);
        assertThat(embedded.policy().embeddedIpv4()).isEqualTo(EmbeddedIpv4Mode.BLOCK_PREFIX);
        assertThat(embedded.policy().ports().isAny()).isTrue();
        assertThat(embedded.limits()).isEqualTo(Limits.defaults());
        assertThat(embedded.dns()).isEqualTo(DnsSettings.defaults());
        assertThat(embedded.audit().fileIfSet()).isEmpty();
    }

    @Test
    void aFullFileLoadsEveryValue() throws URISyntaxException {
        PolicyFile f = PolicyFileLoader.load(fixtures("valid").resolve("model-server.yaml"));
        assertThat(f.listen()).isEqualTo(HostPort.of("::1", 0));
        assertThat(f.policy().mode()).isEqualTo(EnforcementMode.REPORT);
        assertThat(f.policy().embeddedIpv4()).isEqualTo(EmbeddedIpv4Mode.DECODE);
        assertThat(f.policy().allowRules()).hasSize(2);
        assertThat(f.policy().allowRules().get(0).id()).isEqualTo("allow[0]:127.0.0.1/32");
        assertThat(f.policy().allowRules().get(1).ports()).isEqualTo(PortSet.of(11434));
        assertThat(f.policy().ports().entries()).containsExactly("80", "443", "11000-12000");
        assertThat(f.dns().servers()).containsExactly(HostPort.of("127.0.0.1", 5353), HostPort.of("::1", 53));
        assertThat(f.dns().timeout()).isEqualTo(Duration.ofMillis(250));
        Decision modelServer = f.policy().decide("127.0.0.1", 11434, List.of());
        assertThat(modelServer.isAllowed()).isTrue();
        assertThat(modelServer.rule()).contains("allow[0]:127.0.0.1/32");
        assertThat(f.policy().decide("127.0.0.1", 11435, List.of()).reason()).isEqualTo(Reason.IP_LOOPBACK);
        assertThat(f.policy().decide("ollama.lan", 11434, List.of(IpLiterals.parse("10.0.0.5"))).isAllowed()).isTrue();
        assertThat(f.policy().decide("ollama.lan", 11434, List.of(IpLiterals.parse("169.254.169.254"))).reason())
                .isEqualTo(Reason.IP_METADATA);
    }

    @Test
    void theExampleInTheRepositoryIsValidAndLintClean() {
        PolicyFile example = PolicyFileLoader.load(Path.of("../examples/policy.yaml"));
        assertThat(PolicyLinter.lint(example)).isEmpty();
        assertThat(example.audit().fileIfSet()).contains(Path.of("/var/log/egressguard/audit.jsonl"));
        assertThat(example.limits().requestsPerSecondPerClient()).isEqualTo(50);
    }

    @Test
    void upstreamSharingDefaultsToFourSecondsAndZeroTurnsItOff() {
        assertThat(Limits.defaults().upstreamIdleTimeout()).isEqualTo(Duration.ofSeconds(4));
        PolicyFile off = PolicyFileLoader.parse("limits:\n  upstreamIdleTimeout: 0s\n", "p.yaml");
        assertThat(off.limits().upstreamIdleTimeout()).isZero();
        assertThat(EffectivePolicyYaml.render(off)).contains("  upstreamIdleTimeout: 0s\n");
        assertThat(PolicyFileLoader.parse("limits:\n  upstreamIdleTimeout: 1500ms\n", "p.yaml").limits().upstreamIdleTimeout())
                .isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> PolicyFileLoader.parse("limits:\n  upstreamIdleTimeout: -1s\n", "p.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.upstreamIdleTimeout");
        assertThatThrownBy(() -> PolicyFileLoader.parse("limits:\n  idleTimeout: 0s\n", "p.yaml"))
                .as("zero is still no idle timeout for the others").isInstanceOf(ConfigException.class).hasMessageContaining("> 0");
    }

    /** The effective policy printout loads back into the same policy: it is a usable file, not just a report. */
    @TestFactory
    Stream<DynamicTest> theEffectivePolicyRoundTrips() {
        return Stream.of("valid/minimal.yaml", "valid/model-server.yaml", "../../../../../examples/policy.yaml").map(name ->
                DynamicTest.dynamicTest(name, () -> {
                    Path path = name.startsWith("..") ? Path.of("../examples/policy.yaml") : fixtures("").resolve(name);
                    PolicyFile first = PolicyFileLoader.load(path);
                    String rendered = EffectivePolicyYaml.render(first);
                    PolicyFile second = PolicyFileLoader.parse(rendered, "rendered");
                    assertThat(withoutSourceLine(EffectivePolicyYaml.render(second))).isEqualTo(withoutSourceLine(rendered));
                    assertThat(second.limits()).isEqualTo(first.limits());
                    assertThat(second.dns()).isEqualTo(first.dns());
                    assertThat(second.listen()).isEqualTo(first.listen());
                }));
    }

    @Test
    void unreadableAndOversizeFilesAreClearErrors(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> PolicyFileLoader.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected: a readable file (NoSuchFileException");
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, "#".repeat(PolicyFileLoader.MAX_FILE_BYTES + 1));
        assertThatThrownBy(() -> PolicyFileLoader.load(big)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("at most " + PolicyFileLoader.MAX_FILE_BYTES + " bytes");
        Path binary = dir.resolve("binary.yaml");
        Files.write(binary, new byte[] {'m', 'o', 'd', 'e', ':', ' ', (byte) 0xff, (byte) 0xfe});
        assertThatThrownBy(() -> PolicyFileLoader.load(binary)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected: UTF-8 text");
    }

    /** A device or a pipe has no size worth asking: the read itself stops at the limit. */
    @Test
    @org.junit.jupiter.api.Timeout(30)
    void endlessFilesStopAtTheLimit(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> PolicyFileLoader.load(Path.of("/dev/zero"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("/dev/zero").hasMessageContaining("at most " + PolicyFileLoader.MAX_FILE_BYTES + " bytes");
        assertThatThrownBy(() -> PolicyFileLoader.parse("auth:\n  users:\n    - name: a\n      passwordFile: /dev/zero\n", "p.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.users[0].passwordFile: \"/dev/zero\" (expected: a file of at most " + PasswordHash.MAX_FILE_BYTES
                        + " bytes holding the password)");
        Path big = Files.writeString(dir.resolve("big-password"), "p".repeat(PasswordHash.MAX_FILE_BYTES + 1));
        assertThatThrownBy(() -> PolicyFileLoader.parse("auth:\n  users:\n    - name: a\n      passwordFile: " + big + "\n", "p.yaml"))
                .hasMessageContaining("expected: a file of at most");
    }

    @Test
    void listenAcceptsOnlyIpLiteralsWithAPort() {
        assertThat(PolicyFileLoader.parseListen("127.0.0.1:0")).contains(HostPort.of("127.0.0.1", 0));
        assertThat(PolicyFileLoader.parseListen("[::1]:3128")).contains(HostPort.of("::1", 3128));
        assertThat(PolicyFileLoader.parseListen("0.0.0.0:3128")).contains(HostPort.of("0.0.0.0", 3128));
        for (String bad : List.of("localhost:3128", "127.0.0.1", "127.0.0.1:65536", "::1:3128", "[fe80::1%eth0]:3128",
                "127.0.0.1:-1", "127.0.0.1:03128", "[::1]", "")) {
            assertThat(PolicyFileLoader.parseListen(bad)).as(bad).isEmpty();
        }
    }

    private static List<String> readLines(Path p) throws IOException {
        return Files.readAllLines(p, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).collect(Collectors.toList());
    }

    private static String withoutSourceLine(String yaml) {
        return yaml.substring(yaml.indexOf('\n') + 1);
    }
}
