package dev.egressguard.cli.validate;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends probes to the proxy over raw sockets speaking HTTP/1.1: absolute-form GET, CONNECT, and a
 * WebSocket upgrade. It connects only to the proxy, never resolves a probe's host, and bounds every
 * exchange by the timeout (connect, head, tunnel check together).
 */
public final class ProbeRunner {
    static final String USER_AGENT = "egressguard-validate";
    static final String TOKEN_HEADER = "X-Egressguard-Validate";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InetSocketAddress proxy;
    private final Duration timeout;
    private final String token;
    private final Optional<String> proxyAuthorization;

    /** {@code proxyAuthorization}: a {@code Proxy-Authorization} value sent with every probe, for proxies that want users. */
    public ProbeRunner(InetSocketAddress proxy, Duration timeout, String token, Optional<String> proxyAuthorization) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.token = Objects.requireNonNull(token, "token");
        this.proxyAuthorization = Objects.requireNonNull(proxyAuthorization, "proxyAuthorization");
    }

    /** The path canary probes request: it carries the run's token. */
    String canaryPath() {
        return "/egressguard-validate/" + token;
    }

    /**
     * Sends {@code probe} to {@code port} (its canary's, or its own) as many times as it asks, and
     * returns the answer that went furthest: any success wins over a refusal.
     */
    public ProxyAnswer send(Probe probe, int port) {
        ProxyAnswer kept = null;
        for (int i = 0; i < probe.attempts(); i++) {
            ProxyAnswer a = once(probe, port);
            if (kept == null || (a.isSuccess() && !kept.isSuccess())) {
                kept = a;
            }
        }
        return kept;
    }

    private ProxyAnswer once(Probe probe, int port) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket s = new Socket()) {
            try {
                s.connect(proxy, (int) Math.max(1, timeout.toMillis()));
            } catch (IOException e) {
                return ProxyAnswer.failed("cannot connect to the proxy: " + e.getMessage());
            }
            OutputStream out = s.getOutputStream();
            out.write(ResponseHead.ascii(request(probe, port)));
            out.flush();
            ResponseHead head = ResponseHead.read(s, deadline);
            boolean established = probe.method() == ProbeMethod.CONNECT && head.status() >= 200 && head.status() < 300;
            Optional<String> note = Optional.empty();
            if (established && probe.landing() == Landing.CANARY) {
                note = Optional.of(throughTunnel(s, probe, deadline));
            } else if (established && probe.landing() == Landing.PUBLIC) {
                note = Optional.of(tlsHandshake(s, probe, port));
            }
            return ProxyAnswer.of(head, established, note, probe.method() == ProbeMethod.CONNECT);
        } catch (SocketTimeoutException e) {
            return ProxyAnswer.failed("no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return ProxyAnswer.failed(e.getMessage());
        }
    }

    String request(Probe probe, int port) {
        String authority = (probe.method() == ProbeMethod.CONNECT ? probe.authorityHost() : probe.host()) + ":" + port;
        StringBuilder r = new StringBuilder();
        if (probe.method() == ProbeMethod.CONNECT) {
            r.append("CONNECT ").append(authority).append(" HTTP/1.1\r\n");
        } else {
            String path = probe.landing() == Landing.CANARY ? canaryPath() : probe.path();
            r.append("GET http://").append(authority).append(path).append(" HTTP/1.1\r\n");
        }
        r.append("Host: ").append(authority).append("\r\n");
        r.append("User-Agent: ").append(USER_AGENT).append("\r\n");
        proxyAuthorization.ifPresent(auth -> r.append("Proxy-Authorization: ").append(auth).append("\r\n"));
        if (probe.landing() == Landing.CANARY) {
            r.append(TOKEN_HEADER).append(": ").append(token).append("\r\n");
        }
        if (probe.method() == ProbeMethod.WEBSOCKET) {
            byte[] key = new byte[16];
            RANDOM.nextBytes(key);
            r.append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
            r.append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n");
        } else if (probe.method() == ProbeMethod.GET) {
            r.append("Connection: close\r\n");
        }
        return r.append("\r\n").toString();
    }

    /**
     * Sends the token through an established tunnel, so a proxy that connects lazily (on the first
     * bytes) still reaches the canary, and reads the canary's answer if it comes back in time.
     */
    private String throughTunnel(Socket s, Probe probe, long deadline) {
        try {
            s.getOutputStream().write(ResponseHead.ascii("GET " + canaryPath() + " HTTP/1.1\r\nHost: " + probe.authorityHost()
                    + "\r\n" + TOKEN_HEADER + ": " + token + "\r\nConnection: close\r\n\r\n"));
            s.getOutputStream().flush();
            ResponseHead inner = ResponseHead.read(s, deadline);
            return "the tunnel carried the token; the far end answered " + inner.status();
        } catch (IOException e) {
            return "sent the token through the tunnel; no answer back (" + e.getMessage() + ")";
        }
    }

    /** For an https public URL: the TLS handshake with the named host through the tunnel. */
    private String tlsHandshake(Socket s, Probe probe, int port) {
        String host = dev.egressguard.core.net.Hostnames.stripBrackets(probe.host());
        try {
            SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(s, host, port, false);
            tls.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            tls.startHandshake();
            return "TLS handshake with " + host + " completed";
        } catch (IOException e) {
            return "tunnel open, TLS handshake with " + host + " failed: " + e.getMessage();
        }
    }
}
