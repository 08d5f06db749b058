package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refusals of {@code run} that happen before any process starts. */
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void isolateAndContainerTogetherAreAUsageError() {
        CommandRun r = CommandRun.of("run", "--isolate", "--container", "box", "--", "true");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--container=<name>, --isolate are mutually exclusive");
    }

    @Test
    void isolateNeedsRoutingEvenWithIfEnabled() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), "proxy:\n  enabled: false\n");
        Path marker = dir.resolve("started");
        CommandRun r = CommandRun.of("run", "--config", config.toString(), "--isolate", "--if-enabled", "--", "touch", marker.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.ROUTING_REFUSED);
        assertThat(r.err()).contains("proxy routing is not enabled").contains("--isolate needs a proxy to send traffic to").contains("touch was not started");
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void aSocksUrlThatIsNotSocks5hRefusesTheRun() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), "proxy:\n  enabled: true\n  proxyUrl: http://127.0.0.1:3128\n");
        Path marker = dir.resolve("started");
        CommandRun r = CommandRun.of("run", "--config", config.toString(), "--no-java-agent", "--socks", "socks5://u:secret@127.0.0.1:1080",
                "--", "touch", marker.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.ROUTING_REFUSED);
        assertThat(r.err()).contains("proxy: --socks: \"socks5://redacted@127.0.0.1:1080\" (expected: a socks5h:// URL").doesNotContain("secret");
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void aCaThatIsNotACaOrCannotReachTheChildRefusesTheRun() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), "proxy:\n  enabled: true\n  proxyUrl: http://127.0.0.1:3128\n");
        Path marker = dir.resolve("started");
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        CommandRun bad = CommandRun.of("run", "--config", config.toString(), "--no-java-agent", "--ca", notPem.toString(), "--", "touch", marker.toString());
        assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("--ca: the CA file " + notPem + " holds no CA certificate");
        CommandRun container = CommandRun.of("run", "--config", config.toString(), "--container", "box", "--ca", notPem.toString(), "--", "true");
        assertThat(container.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(container.err()).contains("--ca does not reach into a container");
        Files.writeString(config, "proxy:\n  enabled: true\n  proxyUrl: http://127.0.0.1:3128\n  caFile: " + dir.resolve("missing.pem") + "\n");
        CommandRun missing = CommandRun.of("run", "--config", config.toString(), "--no-java-agent", "--", "touch", marker.toString());
        assertThat(missing.exit()).as("proxy.caFile that cannot be read fails closed").isEqualTo(ExitCodes.ROUTING_REFUSED);
        assertThat(missing.err()).contains("cannot be read");
        assertThat(Files.exists(marker)).isFalse();
    }
}
