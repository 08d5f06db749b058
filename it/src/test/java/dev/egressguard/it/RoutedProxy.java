package dev.egressguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.ProxyServer;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.RecordingAuditSink;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real egressguard proxy on 127.0.0.1:0 for end-to-end tests: the given loopback upstream ports
 * opened by explicit rules (for 127.0.0.1 and for the name {@code localhost}), as an operator opens
 * a local model server; a recording audit sink; a dial guard that fails on any non-loopback dial.
 */
final class RoutedProxy implements AutoCloseable {
    final RecordingAuditSink audit = new RecordingAuditSink();
    final LoopbackDialGuard dials = new LoopbackDialGuard();
    final ProxyServer server;

    RoutedProxy(int... upstreamPorts) throws Exception {
        String ports = java.util.Arrays.stream(upstreamPorts).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String yaml = "listen: 127.0.0.1:0\nsocks:\n  listen: 127.0.0.1:0\n"
                + "allow:\n"
                + "  - cidr: 127.0.0.1/32\n    ports: [" + ports + "]\n    reason: test upstreams on loopback\n"
                + "  - host: localhost\n    ports: [" + ports + "]\n    reason: test upstreams by name\n";
        server = ProxyServer.start(PolicyFileLoader.parse(yaml, "it policy"), audit, dials);
    }

    int port() {
        return server.address().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    /** The proxy's SOCKS5 listener, as {@code proxy.socksUrl} names it. */
    String socksUrl() {
        return "socks5h://127.0.0.1:" + server.socksAddress().orElseThrow().getPort();
    }

    /** Waits (bounded) for the decision event of a request to {@code host:port} and returns it. */
    AuditEvent awaitDecision(String host, int port) {
        return audit.await(e -> e.event().equals("decision") && host.equals(e.host()) && Integer.valueOf(port).equals(e.port()),
                Duration.ofSeconds(10));
    }

    List<AuditEvent> decisions() {
        return audit.events().stream().filter(e -> e.event().equals("decision")).collect(Collectors.toList());
    }

    @Override
    public void close() {
        server.close();
        assertThat(dials.violations()).as("dials outside loopback").isEmpty();
    }
}
