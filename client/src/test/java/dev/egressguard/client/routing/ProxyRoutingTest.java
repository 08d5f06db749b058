package dev.egressguard.client.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Activation and exact restoration of the JVM's routing state. No network: selectors are asked, not used. */
class ProxyRoutingTest {
    private static final ProxyUrl PROXY = ProxyUrl.tryParse("http://127.0.0.1:3128").orElseThrow();
    private final Map<String, String> before = new HashMap<>();
    private ProxySelector selectorBefore;
    private Authenticator authenticatorBefore;

    @BeforeEach
    void remember() {
        for (String p : ProxyRouting.PROPERTIES) {
            before.put(p, System.getProperty(p));
        }
        selectorBefore = ProxySelector.getDefault();
        authenticatorBefore = Authenticator.getDefault();
    }

    @AfterEach
    void unchanged() {
        assertThat(ProxyRouting.active()).isEmpty();
        for (String p : ProxyRouting.PROPERTIES) {
            assertThat(System.getProperty(p)).as(p).isEqualTo(before.get(p));
        }
        assertThat(ProxySelector.getDefault()).isSameAs(selectorBefore);
        assertThat(Authenticator.getDefault()).isSameAs(authenticatorBefore);
    }

    @Test
    void everyHttpAndWebSocketUriGoesToTheProxyLoopbackAndLocalhostIncluded() {
        try (ProxyRouting.Activation a = ProxyRouting.activate(RoutingSettings.through(PROXY, "test"))) {
            assertThat(a.isRouting()).isTrue();
            ProxySelector s = ProxySelector.getDefault();
            for (String uri : List.of("http://example.com/", "https://example.com/", "ws://example.com/", "wss://example.com/",
                    "http://localhost:8080/", "http://127.0.0.1:6379/", "http://[::1]/", "HTTP://LOCALHOST/", "http://169.254.169.254/")) {
                List<Proxy> got = s.select(URI.create(uri));
                assertThat(got).as(uri).hasSize(1);
                assertThat(got.get(0).type()).as(uri).isEqualTo(Proxy.Type.HTTP);
                InetSocketAddress addr = (InetSocketAddress) got.get(0).address();
                assertThat(addr.getHostString() + ":" + addr.getPort()).as(uri).isEqualTo("127.0.0.1:3128");
            }
            // a failed connect never turns into DIRECT
            s.connectFailed(URI.create("http://example.com/"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 3128), new IOException("down"));
            assertThat(s.select(URI.create("http://example.com/")).get(0).type()).isEqualTo(Proxy.Type.HTTP);
        }
    }

    @Test
    void theJvmsOwnBypassListIsClearedAndProxyPropertiesSet() throws Exception {
        System.setProperty("http.nonProxyHosts", "localhost|*.internal");
        try {
            try (ProxyRouting.Activation a = ProxyRouting.activate(RoutingSettings.through(PROXY, "test"))) {
                assertThat(System.getProperty("http.nonProxyHosts")).isEmpty();
                assertThat(System.getProperty("http.proxyHost")).isEqualTo("127.0.0.1");
                assertThat(System.getProperty("https.proxyPort")).isEqualTo("3128");
                // the JDK's own property-driven selector (the default before activation) now proxies localhost too
                assertThat(selectorBefore.getClass().getName()).isEqualTo("sun.net.spi.DefaultProxySelector");
                List<Proxy> jdk = selectorBefore.select(URI.create("http://localhost/"));
                assertThat(jdk.get(0).type()).isEqualTo(Proxy.Type.HTTP);
            }
            assertThat(System.getProperty("http.nonProxyHosts")).isEqualTo("localhost|*.internal");
        } finally {
            System.clearProperty("http.nonProxyHosts");
            before.put("http.nonProxyHosts", null);
        }
    }

    @Test
    void otherSchemesGetWhatThePreviousSelectorSaid() {
        ProxySelector custom = new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(new Proxy(Proxy.Type.SOCKS, InetSocketAddress.createUnresolved("socks.example", 1080)));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
        };
        ProxySelector.setDefault(custom);
        try {
            try (ProxyRouting.Activation a = ProxyRouting.activate(RoutingSettings.through(PROXY, "test"))) {
                assertThat(ProxySelector.getDefault().select(URI.create("socket://db.example:5432")).get(0).type()).isEqualTo(Proxy.Type.SOCKS);
                assertThat(ProxySelector.getDefault().select(URI.create("https://db.example/")).get(0).type()).isEqualTo(Proxy.Type.HTTP);
            }
            assertThat(ProxySelector.getDefault()).isSameAs(custom);
        } finally {
            ProxySelector.setDefault(selectorBefore);
        }
    }

    @Test
    void proxyCredentialsAnswerTheProxyOnlyAndTunnelBasicIsEnabled() throws Exception {
        ProxyUrl withCreds = ProxyUrl.tryParse("http://agent:pw%3Aok@127.0.0.1:3128").orElseThrow();
        try (ProxyRouting.Activation a = ProxyRouting.activate(RoutingSettings.through(withCreds, "test"))) {
            assertThat(System.getProperty("jdk.http.auth.tunneling.disabledSchemes")).isEmpty();
            Authenticator auth = Authenticator.getDefault();
            PasswordAuthentication forProxy = auth.requestPasswordAuthenticationInstance("127.0.0.1", null, 3128, "http", "proxy", "basic",
                    new URL("http://example.com/"), Authenticator.RequestorType.PROXY);
            assertThat(forProxy.getUserName()).isEqualTo("agent");
            assertThat(new String(forProxy.getPassword())).isEqualTo("pw:ok");
            assertThat(auth.requestPasswordAuthenticationInstance("example.com", null, 443, "https", "realm", "basic",
                    new URL("https://example.com/"), Authenticator.RequestorType.SERVER)).as("origins never get the proxy's credentials").isNull();
            assertThat(auth.requestPasswordAuthenticationInstance("10.9.9.9", null, 3128, "http", "proxy", "basic",
                    new URL("http://example.com/"), Authenticator.RequestorType.PROXY)).as("nor does another proxy").isNull();
        }
    }

    @Test
    void closeIsIdempotentAndASecondActivationIsRefusedWhileActive() {
        ProxyRouting.Activation a = ProxyRouting.activate(RoutingSettings.through(PROXY, "test"));
        try {
            assertThat(ProxyRouting.activate(RoutingSettings.through(PROXY, "the agent loaded twice"))).as("same proxy: the same routing").isSameAs(a);
            ProxyUrl other = ProxyUrl.tryParse("http://127.0.0.1:3129").orElseThrow();
            assertThatThrownBy(() -> ProxyRouting.activate(RoutingSettings.through(other, "another"))).isInstanceOf(IllegalStateException.class);
        } finally {
            a.close();
            a.close();
        }
        assertThat(a.isRouting()).isFalse();
    }

    @Test
    void disabledSettingsChangeNothing() {
        try (ProxyRouting.Activation a = ProxyRouting.activate(RoutingSettings.disabled())) {
            assertThat(a.isRouting()).isFalse();
            assertThat(ProxySelector.getDefault()).isSameAs(selectorBefore);
        }
    }
}
