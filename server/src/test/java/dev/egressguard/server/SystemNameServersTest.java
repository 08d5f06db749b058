package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemNameServersTest {
    @Test
    void nameserversAreReadAndNothingElse(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("resolv.conf"),
                "# generated\nsearch corp.example\noptions ndots:5\nnameserver 10.0.0.2\nnameserver fd00::53\nnameserver not-an-ip\nnameserver fe80::1%eth0\n");
        assertThat(SystemNameServers.from(conf)).extracting(a -> a.getAddress().getHostAddress() + ":" + a.getPort())
                .containsExactly("10.0.0.2:53", "fd00:0:0:0:0:0:0:53:53");
    }

    @Test
    void noFileOrNoServerRefusesToStartInsteadOfFallingBackToPublicResolvers(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> SystemNameServers.from(dir.resolve("missing"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("set dns.servers");
        Path empty = Files.writeString(dir.resolve("resolv.conf"), "search corp.example\n");
        assertThatThrownBy(() -> SystemNameServers.from(empty)).hasMessageContaining("names no nameserver")
                .hasMessageContaining("never falls back to public resolvers");
    }
}
