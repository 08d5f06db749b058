package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.core.policy.DestinationDecision;
import dev.egressguard.server.audit.AuditEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicySuggestCommandTest {
    private static String decision(String identity, String host, int port, String verdict, String reason) {
        return "{\"ts\":\"2026-01-05T10:00:00.000Z\",\"event\":\"decision\",\"id\":\"1\",\"client\":\"10.1.0.7:50000\""
                + (identity == null ? "" : ",\"identity\":\"" + identity + "\"") + ",\"mode\":\"connect\",\"host\":\"" + host
                + "\",\"port\":" + port + ",\"verdict\":\"" + verdict + "\",\"reason\":\"" + reason + "\",\"policy_generation\":1}";
    }

    private static void repeat(List<String> lines, int n, String line) {
        for (int i = 0; i < n; i++) {
            lines.add(line);
        }
    }

    private static Path write(Path dir, String name, List<String> lines) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p;
    }

    private static Path gzip(Path dir, String name, List<String> lines, boolean truncate) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (truncate) {
            byte[] all = Files.readAllBytes(p);
            Files.write(p, Arrays.copyOf(all, all.length - 12));
        }
        return p;
    }

    @Test
    void aWeekOfLogsBecomesADestinationsBlockThatAllowsWhatWasSeenAndNothingTheDenylistDenied(@TempDir Path dir) throws IOException {
        List<String> day1 = new ArrayList<>();
        repeat(day1, 5, decision("coder", "api.openai.com", 443, "allow", "ip.public"));
        repeat(day1, 2, decision("coder", "raw.githubusercontent.com", 443, "allow", "ip.public"));
        day1.add(decision("coder", "objects.githubusercontent.com", 443, "allow", "ip.public"));
        day1.add(decision("coder", "gist.githubusercontent.com", 443, "would_deny", "dest.denied"));
        repeat(day1, 2, decision("coder", "PyPI.org.", 8443, "would_deny", "dest.not_allowed"));
        day1.add(decision("coder", "pypi.org", 443, "would_deny", "approval.timeout"));
        repeat(day1, 12, decision("coder", "127.0.0.1", 11434, "would_deny", "ip.loopback"));
        day1.add(decision("coder", "metadata.google.internal", 80, "deny", "host.blocked_name"));
        for (String n : List.of("a.co.uk", "b.co.uk", "c.co.uk")) {
            day1.add(decision("coder", n, 443, "allow", "ip.public"));
        }
        day1.add(decision(null, "example.com", 80, "allow", "ip.public"));
        day1.add(decision(null, "10.0.0.5", 443, "would_deny", "ip.private"));
        repeat(day1, 3, decision(null, "example.com", 25, "would_deny", "port.not_allowed"));
        day1.add(decision("coder", "denied.example", 443, "deny", "dest.not_allowed"));
        day1.add("{\"ts\":\"2026-01-05T10:00:01.000Z\",\"event\":\"close\",\"id\":\"1\",\"host\":\"ignored.example\",\"bytes_up\":1}");
        day1.add("not json at all");
        day1.add("{\"event\":\"decision\",");
        day1.add("[1,2]");
        // a line exactly as the proxy writes it today (no identity field: default)
        day1.add(new AuditEvent(Instant.EPOCH, "decision", "9", "127.0.0.1:5000", null, null, "forward", "GET", "real.example", 443,
                List.of("93.184.216.34"), null, "allow", "ip.public", null, null, null, null, null, null, null, 1L).toJson());
        List<String> day2 = new ArrayList<>();
        for (String n : List.of("a", "b", "c", "d")) {
            day2.add(decision("ci", n + ".maven.example", 443, "allow", "ip.public"));
        }
        day2.add(decision("ci", "2001:db8::1", 8080, "allow", "allow.rule"));
        Path plain = write(dir, "audit.jsonl", day1);
        Path rolled = gzip(dir, "audit.jsonl.2026-01-04.0.gz", day2, false);

        CommandRun run = CommandRun.of("policy", "suggest", plain.toString(), rolled.toString());
        assertThat(run.exit()).isEqualTo(0);
        assertThat(run.err()).isEqualTo("policy suggest: " + plain + ": 3 malformed lines skipped (first at line 36)\n");
        assertThat(run.out()).isEqualTo(String.join("\n",
                "# egressguard policy suggest: 2 logs, 44 lines, 40 decision events",
                "# Allows what each identity reached (allow) or would have been refused (would_deny, mode: report).",
                "# Wildcards: 3 or more names under one parent; ports written unless 80/443. Review before use.",
                "# not used: port.not_allowed ×3, dest.not_allowed ×1",
                "destinations:",
                "  default:",
                "    default: deny   # anything not listed; ask instead has the approver decide",
                "    allow:",
                "      - example.com    # 1 request",
                "      - real.example   # 1 request",
                "    # denied by the denylist, never suggested: 10.0.0.5:443 (ip.private) ×1",
                "  ci:",
                "    default: deny   # anything not listed; ask instead has the approver decide",
                "    allow:",
                "      - \"*.maven.example\"      # 4 requests to 4 names: a.maven.example, b.maven.example, c.maven.example, d.maven.example",
                "      - \"[2001:db8::1]:8080\"   # 1 request",
                "  coder:",
                "    default: deny   # anything not listed; ask instead has the approver decide",
                "    allow:",
                "      - api.openai.com              # 5 requests",
                "      - \"*.githubusercontent.com\"   # 4 requests to 3 names: gist.githubusercontent.com, objects.githubusercontent.com, raw.githubusercontent.com",
                "      - pypi.org:8443               # 2 requests",
                "      - a.co.uk                     # 1 request",
                "      - b.co.uk                     # 1 request",
                "      - c.co.uk                     # 1 request",
                "      - pypi.org:443                # 1 request",
                "    # denied by the denylist, never suggested: 127.0.0.1:11434 (ip.loopback) ×12",
                "    # denied by the denylist, never suggested: metadata.google.internal:80 (host.blocked_name) ×1",
                ""));

        // pasted into a policy with those identities, it allows what was seen and nothing the denylist denied
        PolicyFile policy = PolicyFileLoader.parse("identities:\n  - name: coder\n    clients: [10.1.0.0/16]\n"
                + "  - name: ci\n    clients: [10.2.0.0/16]\n" + run.out(), "suggested.yaml");
        assertThat(allowed(policy, "coder", "api.openai.com", 443)).isTrue();
        assertThat(allowed(policy, "coder", "gist.githubusercontent.com", 443)).isTrue();
        assertThat(allowed(policy, "coder", "pypi.org", 8443)).isTrue();
        assertThat(allowed(policy, "coder", "pypi.org", 9000)).isFalse();
        assertThat(allowed(policy, "coder", "127.0.0.1", 11434)).isFalse();
        assertThat(allowed(policy, "coder", "metadata.google.internal", 80)).isFalse();
        assertThat(allowed(policy, "coder", "denied.example", 443)).isFalse();
        assertThat(allowed(policy, "coder", "d.co.uk", 443)).as("no wildcard over a public suffix").isFalse();
        assertThat(allowed(policy, "ci", "e.maven.example", 443)).isTrue();
        assertThat(allowed(policy, "ci", "maven.example", 443)).isFalse();
        assertThat(policy.destinations().decide("ci", "[2001:db8::1]", 8080).isAllowed()).as("opened by an allow rule in the logged policy").isTrue();
        assertThat(allowed(policy, "default", "example.com", 443)).isTrue();
        assertThat(allowed(policy, "default", "10.0.0.5", 443)).isFalse();
        assertThat(allowed(policy, "default", "other.example", 443)).isFalse();
    }

    private static boolean allowed(PolicyFile policy, String identity, String host, int port) {
        DestinationDecision d = policy.destinations().decide(identity, host, port);
        return d.isAllowed() && policy.policy().checkHost(host, port).decisionSoFar().isAllowed();
    }

    @Test
    void theBoundsKeepMemoryFlatAndSaySoWhenHit(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            repeat(lines, 2, decision("coder", "h" + i + ".example", 443, "allow", "ip.public"));
        }
        lines.add("{\"event\":\"decision\",\"host\":\"" + "x".repeat(AuditLines.MAX_LINE_BYTES) + "\"}");
        CommandRun run = CommandRun.of("policy", "suggest", "--max-destinations", "2", write(dir, "a.jsonl", lines).toString());
        assertThat(run.exit()).isEqualTo(0);
        assertThat(run.out()).contains("      - h0.example   # 2 requests\n      - h1.example   # 2 requests\n")
                .doesNotContain("h2.example")
                .contains("    # note: more destinations than the bound (2 per identity); 6 requests to others were not tallied (raise --max-destinations)\n");
        assertThat(run.err()).contains("1 malformed line skipped (first at line 11)");
    }

    @Test
    void stdinAndACutGzipAreReadAndABadFileIsAUsageError(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            lines.add(decision("coder", "n" + i + ".build.example", 443, "allow", "ip.public"));
        }
        Path cut = gzip(dir, "cut.gz", lines, true);
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(String.join("\n", lines.subList(0, 3)).getBytes(StandardCharsets.UTF_8)));
            CommandRun run = CommandRun.of("policy", "suggest", "-", cut.toString());
            assertThat(run.exit()).isEqualTo(0);
            assertThat(run.out()).contains("\"*.build.example\"").contains("names: n0.build.example, n1.build.example");
            assertThat(run.err()).contains(cut + ": the gzip stream ends early; read ");
        } finally {
            System.setIn(saved);
        }
        CommandRun missing = CommandRun.of("policy", "suggest", dir.resolve("nope.jsonl").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("error: policy suggest: cannot read " + dir.resolve("nope.jsonl"));
        CommandRun empty = CommandRun.of("policy", "suggest", write(dir, "empty.jsonl", List.of()).toString());
        assertThat(empty.exit()).isEqualTo(0);
        assertThat(empty.out()).endsWith("destinations: {}   # no allowed or denied destinations in the logs\n");
    }

    @Test
    void anAskWithoutApproverIsALintError(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, "destinations:\n  default:\n    default: ask\n");
        CommandRun run = CommandRun.of("policy", "lint", p.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains(p + ":3: destinations.default.default: \"ask\" (expected: approvals.url to be set");
    }
}
