package dev.egressguard.client.routing;

import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Routes this JVM's HTTP and WebSocket clients through the operator's proxy, and puts everything
 * back on {@link Activation#close()}: the default {@link ProxySelector} (read by the JDK's
 * {@code HttpClient}, {@code HttpURLConnection}, OkHttp and Apache HttpClient 5's system routes),
 * the {@code http(s).proxyHost/Port} properties for libraries that read them, an empty
 * {@code http.nonProxyHosts} (the JDK's default skips {@code localhost} and {@code 127.*}), and an
 * {@link Authenticator} for proxy credentials with Basic enabled for tunnels.
 *
 * <p>Clients built before activation keep the selector they captured; activate first (the
 * javaagent does it before {@code main}).
 */
public final class ProxyRouting {
    /** JVM properties routing sets; each is restored to its previous value (or cleared) on close. */
    static final String[] PROPERTIES = {"http.proxyHost", "http.proxyPort", "https.proxyHost", "https.proxyPort",
        "http.nonProxyHosts", "jdk.http.auth.tunneling.disabledSchemes", "jdk.http.auth.proxying.disabledSchemes"};

    private static final AtomicReference<Activation> ACTIVE = new AtomicReference<>();

    private ProxyRouting() {}

    /**
     * Activates routing for {@code settings}; for disabled settings, returns an activation that
     * changed nothing. A shutdown hook restores the previous state if {@link Activation#close()}
     * was not called.
     *
     * @throws IllegalStateException when other routing is already active in this JVM (the same
     *         settings again return the active one)
     */
    public static Activation activate(RoutingSettings settings) {
        return activate(settings, true);
    }

    /**
     * Activates routing for the rest of this JVM's life, with no restore at shutdown, so that
     * requests sent from other shutdown hooks still go through the proxy. What the javaagent uses.
     */
    public static Activation activateForProcess(RoutingSettings settings) {
        return activate(settings, false);
    }

    private static Activation activate(RoutingSettings settings, boolean restoreAtShutdown) {
        Objects.requireNonNull(settings, "settings");
        if (!settings.enabled()) {
            return new Activation(settings, null, null, false, Map.of());
        }
        synchronized (ProxyRouting.class) {
            Activation current = ACTIVE.get();
            if (current != null) {
                if (current.settings().proxy().equals(settings.proxy())) {
                    return current; // loaded twice (an agent in JAVA_TOOL_OPTIONS and on the command line): one routing
                }
                throw new IllegalStateException("proxy routing is already active (" + current.settings() + ")");
            }
            ProxyUrl url = settings.proxy();
            Authenticator previousAuthenticator = Authenticator.getDefault();
            // everything that can fail is built before any global state changes
            Authenticator credentials = url.hasCredentials() ? new ProxyCredentialsAuthenticator(url, previousAuthenticator) : null;
            Map<String, String> previousProperties = new LinkedHashMap<>();
            for (String p : PROPERTIES) {
                previousProperties.put(p, System.getProperty(p));
            }
            ProxySelector previousSelector = ProxySelector.getDefault();
            Proxy proxy = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(url.host(), url.port()));
            ProxySelector.setDefault(new RoutingProxySelector(proxy, previousSelector));
            String port = Integer.toString(url.port());
            System.setProperty("http.proxyHost", url.host());
            System.setProperty("http.proxyPort", port);
            System.setProperty("https.proxyHost", url.host());
            System.setProperty("https.proxyPort", port);
            System.setProperty("http.nonProxyHosts", ""); // empty, not unset: unset means "skip localhost|127.*|[::1]"
            if (credentials != null) {
                // read by the JDK's HTTP stack when it first loads: effective when activated early (the agent)
                System.setProperty("jdk.http.auth.tunneling.disabledSchemes", "");
                System.setProperty("jdk.http.auth.proxying.disabledSchemes", "");
                Authenticator.setDefault(credentials);
            }
            Activation a = new Activation(settings, previousSelector, previousAuthenticator, credentials != null, previousProperties);
            ACTIVE.set(a);
            if (restoreAtShutdown) {
                a.installShutdownHook();
            }
            return a;
        }
    }

    /** The active routing, if any. */
    public static java.util.Optional<RoutingSettings> active() {
        Activation a = ACTIVE.get();
        return a == null ? java.util.Optional.empty() : java.util.Optional.of(a.settings());
    }

    /** Active routing; {@link #close()} (or JVM shutdown) restores what was there before. */
    public static final class Activation implements AutoCloseable {
        private final RoutingSettings settings;
        private final ProxySelector previousSelector;
        private final Authenticator previousAuthenticator;
        private final boolean replacedAuthenticator;
        private final Map<String, String> previousProperties;
        private Thread hook;
        private boolean closed;

        private Activation(RoutingSettings settings, ProxySelector previousSelector, Authenticator previousAuthenticator,
                           boolean replacedAuthenticator, Map<String, String> previousProperties) {
            this.settings = settings;
            this.previousSelector = previousSelector;
            this.previousAuthenticator = previousAuthenticator;
            this.replacedAuthenticator = replacedAuthenticator;
            this.previousProperties = previousProperties;
        }

        public RoutingSettings settings() {
            return settings;
        }

        public boolean isRouting() {
            return settings.enabled() && !closed;
        }

        private void installShutdownHook() {
            hook = new Thread(this::restore, "egressguard-routing-restore");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        /** Restores the selector, properties and authenticator that were there before; idempotent. */
        @Override
        public void close() {
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs (or ran) restore itself
                }
            }
            restore();
        }

        private void restore() {
            synchronized (ProxyRouting.class) {
                if (closed || !settings.enabled()) {
                    closed = true;
                    return;
                }
                closed = true;
                ProxySelector.setDefault(previousSelector);
                previousProperties.forEach((k, v) -> {
                    if (v == null) {
                        System.clearProperty(k);
                    } else {
                        System.setProperty(k, v);
                    }
                });
                if (replacedAuthenticator) {
                    Authenticator.setDefault(previousAuthenticator);
                }
                ACTIVE.compareAndSet(this, null);
            }
        }
    }
}
