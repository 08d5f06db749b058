package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shaded jar and the launcher, run as real processes the way an operator runs them. */
class CliJarIT {
    private static final Path JAR = Path.of("target/egressguard.jar").toAbsolutePath();
    private static final Path LAUNCHER = Path.of("../bin/egressguard").toAbsolutePath().normalize();

    record Outcome(int exit, String out, String err) {}

    private static Outcome run(List<String> command, String stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("eg-out", ".txt");
        Path err = Files.createTempFile("eg-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("finished within 60 s: " + command).isTrue();
            return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void theJarChecksTargetsFromArgumentsAndStdin() throws Exception {
        assertThat(JAR).exists();
        Outcome o = run(java("check", "--json", "--no-resolve", "http://[::ffff:169.254.169.254]/", "-"), "0x7f.1\n8.8.8.8\n");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).isEmpty();
        assertThat(o.out().lines()).hasSize(3);
        assertThat(o.out().lines().findFirst().orElseThrow()).contains("\"verdict\":\"deny\"").contains("\"reason\":\"ip.embedded_ipv4\"");
        assertThat(o.out()).contains("\"reason\":\"host.legacy_ipv4_literal\"").contains("\"reason\":\"ip.public\"");
    }

    @Test
    void theJarReportsPolicyErrorsWithExitTwo() throws Exception {
        Path bad = Files.createTempFile("bad-policy", ".yaml");
        try {
            Files.writeString(bad, "allow:\n  - cidr: 10.0.0.0/33\n    reason: typo\n");
            Outcome o = run(java("policy", "lint", bad.toString()), "");
            assertThat(o.exit()).isEqualTo(2);
            assertThat(o.err()).contains(bad + ":2: allow[0].cidr: \"10.0.0.0/33\" (expected: prefix length 0..32)");
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    @Test
    void theLauncherRunsTheBuiltJar() throws Exception {
        assertThat(Files.isExecutable(LAUNCHER)).as(LAUNCHER + " is executable").isTrue();
        Outcome o = run(List.of(LAUNCHER.toString(), "check", "169.254.169.254"), "");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.out()).contains("deny  ip.metadata  rule=default:169.254.169.254/32");
        Outcome show = run(List.of(LAUNCHER.toString(), "policy", "show"), "");
        assertThat(show.exit()).isEqualTo(0);
        assertThat(show.out()).contains("listen: 127.0.0.1:3128");
    }

    /** README command one: the proxy on its embedded default policy, then the spec's validation with curl. */
    @Test
    void theLauncherRunsTheProxyOnTheDefaultPolicy() throws Exception {
        Path err = Files.createTempFile("eg-proxy-err", ".txt");
        Path out = Files.createTempFile("eg-proxy-out", ".txt");
        Process proxy = new ProcessBuilder(LAUNCHER.toString(), "proxy", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0")
                .redirectError(err.toFile()).redirectOutput(out.toFile()).start();
        try {
            String port = null;
            for (int i = 0; i < 300 && port == null; i++) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(Files.readString(err));
                if (m.find()) {
                    port = m.group(1);
                } else {
                    Thread.sleep(100);
                }
            }
            assertThat(port).as("banner in " + Files.readString(err)).isNotNull();
            assertThat(Files.readString(err)).contains("policy: embedded default").contains("mode: enforce");
            for (String url : List.of("http://127.0.0.1/", "http://169.254.169.254/")) {
                ProcessBuilder pb = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", "http://127.0.0.1:" + port, url);
                pb.environment().remove("no_proxy");
                pb.environment().remove("NO_PROXY");
                Outcome o = run(pb.command(), "");
                assertThat(o.out()).as(url).isEqualTo("403");
            }
            String audit = Files.readString(out);
            for (int i = 0; i < 100 && !audit.contains("\"reason\":\"ip.metadata\""); i++) {
                Thread.sleep(50); // audit lines are written in batches, a few milliseconds behind
                audit = Files.readString(out);
            }
            assertThat(audit).contains("\"reason\":\"ip.loopback\"").contains("\"reason\":\"ip.metadata\"");
        } finally {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(err);
            Files.deleteIfExists(out);
        }
    }
}
