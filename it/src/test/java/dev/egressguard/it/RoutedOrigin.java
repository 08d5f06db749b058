package dev.egressguard.it;

import dev.egressguard.server.support.HttpUpstream;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the routed-program ITs share: an HTTP origin on 127.0.0.1 and a {@link RoutedProxy} that
 * opens it, started before a test class's tests and closed after them (the proxy first, which
 * fails the class on any non-loopback dial). Register it as
 * {@code @RegisterExtension static final RoutedOrigin routed = new RoutedOrigin();}.
 */
final class RoutedOrigin implements BeforeAllCallback, AfterAllCallback {
    private HttpUpstream origin;
    private RoutedProxy proxy;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        origin = HttpUpstream.http("127.0.0.1");
        proxy = new RoutedProxy(origin.port());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            proxy.close();
        } finally {
            origin.close();
        }
    }

    HttpUpstream origin() {
        return origin;
    }

    RoutedProxy proxy() {
        return proxy;
    }

    /** {@code dir} as a runtime home whose config enables routing through this proxy. */
    Path routedHome(Path dir) throws IOException {
        return ChildProcess.homeWithConfig(dir, "proxy:\n  enabled: true\n  proxyUrl: " + proxy.url() + "\n");
    }
}
