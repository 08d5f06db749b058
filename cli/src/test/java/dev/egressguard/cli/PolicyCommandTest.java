package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.EffectivePolicyYaml;
import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.PolicyFileLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {
    @Test
    void lintExitsZeroOnACleanFileAndPrintsTheEffectivePolicy() {
        CommandRun run = CommandRun.of("policy", "lint", "../examples/policy.yaml");
        assertThat(run.exit()).isEqualTo(0);
        assertThat(run.out()).contains("listen: 127.0.0.1:3128").contains("cidr: 127.0.0.1/32")
                .contains("#   169.254.169.254/32     ip.metadata").endsWith("valid, 0 warnings\n");
        assertThat(PolicyFileLoader.parse(run.out(), "lint output").policy().allowRules()).hasSize(2);
    }

    @Test
    void lintExitsOneOnWarnings(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, "allow:\n  - cidr: 10.0.0.0/8\n    reason: all of it\n");
        CommandRun run = CommandRun.of("policy", "lint", "--quiet", p.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("listen:").contains("# warning: allow[0]: 10.0.0.0/8 is broad")
                .contains("# warning: allow[0]: opens every port").contains("valid, 2 warnings");
    }

    @Test
    void lintExitsTwoOnErrorsAndListsThemAll(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, "allow:\n  - cidr: 10.0.0.0/33\n    reason: x\n  - host: \"*\"\n    reason: y\nmodee: enforce\n");
        CommandRun run = CommandRun.of("policy", "lint", p.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(p + ":2: allow[0].cidr: \"10.0.0.0/33\" (expected: prefix length 0..32)")
                .contains(p + ":4: allow[1].host: \"*\"")
                .contains(p + ":6: modee: \"modee\" (expected: one of listen, mode,").contains("did you mean \"mode\"?")
                .contains("3 error(s)");
        assertThat(CommandRun.of("policy", "lint", dir.resolve("missing.yaml").toString()).exit()).isEqualTo(2);
    }

    /** A device or a pipe reports no size worth trusting: the read itself stops at the documented 1 MiB. */
    @Test
    @Timeout(30)
    void lintReadsAtMostTheDocumentedSizeWhateverTheFileIs(@TempDir Path dir) throws Exception {
        CommandRun zero = CommandRun.of("policy", "lint", "/dev/zero");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("/dev/zero: (document): \"/dev/zero\" (expected: a policy file of at most "
                + PolicyFileLoader.MAX_FILE_BYTES + " bytes)");
        Path fifo = dir.resolve("policy.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo works here");
        Thread writer = new Thread(() -> {
            byte[] chunk = "# a comment line that never ends\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = Files.newOutputStream(fifo)) {
                for (int i = 0; i < 1000; i++) { // 33 MiB at most; the reader stops after 1 MiB
                    out.write(chunk);
                }
            } catch (IOException expected) {
                // the reader closed the pipe
            }
        });
        writer.setDaemon(true);
        writer.start();
        CommandRun pipe = CommandRun.of("policy", "lint", fifo.toString());
        assertThat(pipe.exit()).isEqualTo(2);
        assertThat(pipe.err()).contains("expected: a policy file of at most " + PolicyFileLoader.MAX_FILE_BYTES + " bytes");
        writer.join(10_000);
    }

    @Test
    @Timeout(30)
    void hashPasswordReadsOneBoundedLine() {
        InputStream saved = System.in;
        try {
            System.setIn(new InputStream() { // a password with no end
                @Override
                public int read() {
                    return 'p';
                }
            });
            CommandRun endless = CommandRun.of("policy", "hash-password");
            assertThat(endless.exit()).isEqualTo(2);
            assertThat(endless.err()).contains("longer than " + PasswordHash.MAX_FILE_BYTES + " bytes");
            System.setIn(new ByteArrayInputStream("s3cret\r\nnot read\n".getBytes(StandardCharsets.UTF_8)));
            CommandRun ok = CommandRun.of("policy", "hash-password");
            assertThat(ok.exit()).isEqualTo(0);
            assertThat(PasswordHash.tryParse(ok.out().strip()).orElseThrow().matches("s3cret")).isTrue();
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void showPrintsTheEmbeddedDefaultAsLoadableYaml() {
        CommandRun run = CommandRun.of("policy", "show");
        assertThat(run.exit()).isEqualTo(0);
        assertThat(run.out()).isEqualTo(EffectivePolicyYaml.render(PolicyFileLoader.embeddedDefault()));
        assertThat(run.out()).contains("#   127.0.0.0/8            ip.loopback").contains("#   2001::/32              ip.embedded_ipv4")
                .contains("localhost, localhost.localdomain, metadata.google.internal, *.localhost, *.local, *.internal");
        assertThat(PolicyFileLoader.parse(run.out(), "show").policy().allowRules()).isEmpty();
        CommandRun raw = CommandRun.of("policy", "show", "--raw");
        assertThat(raw.out()).isEqualTo(PolicyFileLoader.embeddedDefaultText()).contains("# egressguard embedded default policy");
    }

    @Test
    void proxyRefusesABrokenPolicyOrListenAddressBeforeListening(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "listen: nowhere\n");
        CommandRun broken = CommandRun.of("proxy", "--policy", bad.toString());
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.err()).contains(bad + ":1: listen: \"nowhere\"");
        CommandRun listen = CommandRun.of("proxy", "--listen", "localhost:1");
        assertThat(listen.exit()).isEqualTo(2);
        assertThat(listen.err()).contains("--listen: \"localhost:1\" (expected: IP:port");
    }

    @Test
    void theTopCommandListsSubcommandsAndNeedsOne() {
        CommandRun help = CommandRun.of("--help");
        assertThat(help.exit()).isEqualTo(0);
        assertThat(help.out()).contains("proxy").contains("check").contains("policy");
        assertThat(CommandRun.of().exit()).isEqualTo(2);
        assertThat(CommandRun.of("--version").out()).startsWith("egressguard ");
    }
}
