package dev.egressguard.client.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControlPlaneTest {
    @ParameterizedTest
    @ValueSource(strings = {"ws://127.0.0.1:18789", "ws://[::1]:18789", "http://127.0.0.1:18789/rpc", "wss://127.255.0.9/",
        "http://[0:0:0:0:0:0:0:1]:1/"})
    void literalLoopbackIpsGoDirect(String url) {
        assertThat(ControlPlane.isDirect(URI.create(url))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws://localhost:18789", "ws://gateway.local:18789", "ws://10.0.0.1:18789", "ws://127.1:18789",
        "ws://2130706433:18789", "ws://[::ffff:127.0.0.1]:18789", "ws://0.0.0.0:18789", "ftp://127.0.0.1/", "ws://[fe80::1%25lo]:1/",
        "ws://127.0.0.1.nip.io:18789", "ws://[::2]:1"})
    void everythingElseRoutes(String url) {
        assertThat(ControlPlane.isDirect(URI.create(url))).isFalse();
    }
}
