package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ValidateCommandTest {
    @Test
    void helpWarnsThatScopeAllMakesAPermissiveProxyDialForReal() {
        CommandRun r = CommandRun.of("validate", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--scope").contains("WARNING").contains("really").contains("169.254.169.254").contains("--dns-rebind").contains("--json");
    }

    @Test
    void aProxyUrlThatIsNotHttpWithAPortIsAUsageError() {
        CommandRun r = CommandRun.of("validate", "--proxy", "https://127.0.0.1:3128");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--proxy: \"https://127.0.0.1:3128\" (expected: http://host:port");
        assertThat(CommandRun.of("validate", "--proxy", "http://127.0.0.1").err()).contains("\"http://127.0.0.1\"");
    }

    @Test
    void badScopeTimeoutRebindNameAndPublicUrlAreUsageErrors() {
        assertThat(CommandRun.of("validate", "--proxy", "http://127.0.0.1:9", "--scope", "everything").err())
                .contains("--scope: \"everything\" (expected: loopback or all)");
        assertThat(CommandRun.of("validate", "--proxy", "http://127.0.0.1:9", "--timeout", "0s").err())
                .contains("\"0s\" (expected: a positive duration");
        assertThat(CommandRun.of("validate", "--proxy", "http://127.0.0.1:9", "--dns-rebind", "127.0.0.1").err())
                .contains("--dns-rebind: \"127.0.0.1\" (expected: a DNS name you control)");
        CommandRun r = CommandRun.of("validate", "--proxy", "http://127.0.0.1:9", "--public-url", "ftp://example.com/");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--public-url: \"ftp://example.com/\"");
    }

    @Test
    void anUnreachableProxyExitsTwoAndNamesIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        CommandRun r = CommandRun.of("validate", "--proxy", "http://127.0.0.1:" + port, "--scope", "loopback", "--timeout", "2s");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("error: cannot reach the proxy at http://127.0.0.1:" + port);
        assertThat(r.out()).isEmpty();
    }
}
