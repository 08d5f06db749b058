package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.EffectivePolicyYaml;
import dev.egressguard.config.PolicyFileLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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
