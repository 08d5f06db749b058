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
}
