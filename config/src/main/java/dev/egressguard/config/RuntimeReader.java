package dev.egressguard.config;

import dev.egressguard.core.net.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Reads how the proxy runs: {@code listen}, {@code admin}, {@code dns}, {@code limits} and {@code audit}. */
final class RuntimeReader {
    private static final Set<String> ADMIN = NodeReader.keys("listen");
    private static final Set<String> SOCKS = NodeReader.keys("listen");
    private static final Set<String> DNS = NodeReader.keys("servers", "timeout");
    private static final Set<String> LIMITS = NodeReader.keys("connectTimeout", "idleTimeout", "requestHeaderTimeout",
            "maxHeaderBytes", "maxConnections", "maxConnectionsPerClient", "maxTunnels", "requestsPerSecondPerClient",
            "drainTimeout", "upstreamIdleTimeout");
    private static final Set<String> AUDIT = NodeReader.keys("file", "paths");

    private final NodeReader r;

    RuntimeReader(NodeReader reader) {
        this.r = reader;
    }

    HostPort listen(Node n) {
        String expected = "IP:port such as 127.0.0.1:3128 or [::1]:3128 (port 0 picks a free port)";
        Optional<String> text = r.string(n, "listen", expected);
        Optional<HostPort> parsed = text.flatMap(PolicyFileLoader::parseListen);
        if (text.isPresent() && parsed.isEmpty()) {
            r.problem(n, "listen", text.get(), expected);
        }
        return parsed.orElse(PolicyFileLoader.DEFAULT_LISTEN);
    }

    AdminSettings admin(Node n) {
        Map<String, Node> a = r.mapping(n, "admin", ADMIN);
        if (!a.containsKey("listen")) {
            return AdminSettings.unset();
        }
        String expected = "IP:port for the admin listener (loopback by default), or off";
        Optional<String> text = r.string(a.get("listen"), "admin.listen", expected);
        if (text.isEmpty()) {
            return AdminSettings.unset();
        }
        if (text.get().strip().equals("off")) {
            return AdminSettings.disabled();
        }
        Optional<HostPort> hp = PolicyFileLoader.parseListen(text.get());
        if (hp.isEmpty()) {
            r.problem(a.get("listen"), "admin.listen", text.get(), expected);
            return AdminSettings.unset();
        }
        return AdminSettings.at(hp.get());
    }

    /** {@code socks.listen: HOST:PORT}: the SOCKS5 listener, off when absent. */
    Optional<HostPort> socks(Node n) {
        Map<String, Node> m = r.mapping(n, "socks", SOCKS);
        if (!m.containsKey("listen")) {
            return Optional.empty();
        }
        String expected = "IP:port for the SOCKS5 listener, such as 127.0.0.1:1080";
        Optional<String> text = r.string(m.get("listen"), "socks.listen", expected);
        Optional<HostPort> parsed = text.flatMap(PolicyFileLoader::parseListen);
        if (text.isPresent() && parsed.isEmpty()) {
            r.problem(m.get("listen"), "socks.listen", text.get(), expected);
        }
        return parsed;
    }

    DnsSettings dns(Node n) {
        Map<String, Node> m = r.mapping(n, "dns", DNS);
        List<HostPort> servers = new ArrayList<>();
        if (m.containsKey("servers")) {
            List<Node> items = r.sequence(m.get("servers"), "dns.servers", "DNS servers as IP:port");
            for (int i = 0; i < items.size(); i++) {
                String path = "dns.servers[" + i + "]";
                String expected = "a DNS server as IP or IP:port (53 when omitted)";
                Optional<String> text = r.string(items.get(i), path, expected);
                Optional<HostPort> server = text.flatMap(PolicyFileLoader::parseDnsServer);
                if (text.isPresent() && server.isEmpty()) {
                    r.problem(items.get(i), path, text.get(), expected);
                }
                server.ifPresent(servers::add);
            }
        }
        Duration timeout = m.containsKey("timeout") ? r.duration(m.get("timeout"), "dns.timeout").orElse(null) : null;
        return new DnsSettings(servers, timeout == null ? DnsSettings.defaults().timeout() : timeout);
    }

    Limits limits(Node n) {
        Map<String, Node> m = r.mapping(n, "limits", LIMITS);
        Limits d = Limits.defaults();
        return new Limits(
                durationOr(m, "connectTimeout", d.connectTimeout()),
                durationOr(m, "idleTimeout", d.idleTimeout()),
                durationOr(m, "requestHeaderTimeout", d.requestHeaderTimeout()),
                m.containsKey("maxHeaderBytes") ? r.size(m.get("maxHeaderBytes"), "limits.maxHeaderBytes", 1024, 1024 * 1024)
                        .orElse(d.maxHeaderBytes()) : d.maxHeaderBytes(),
                intOr(m, "maxConnections", 1, 1_000_000, d.maxConnections()),
                intOr(m, "maxConnectionsPerClient", 1, 1_000_000, d.maxConnectionsPerClient()),
                intOr(m, "maxTunnels", 1, 1_000_000, d.maxTunnels()),
                intOr(m, "requestsPerSecondPerClient", 0, 1_000_000, d.requestsPerSecondPerClient()),
                durationOr(m, "drainTimeout", d.drainTimeout()),
                m.containsKey("upstreamIdleTimeout") ? r.duration(m.get("upstreamIdleTimeout"), "limits.upstreamIdleTimeout", true)
                        .orElse(d.upstreamIdleTimeout()) : d.upstreamIdleTimeout());
    }

    AuditSettings audit(Node n) {
        Map<String, Node> a = r.mapping(n, "audit", AUDIT);
        Path file = null;
        if (a.containsKey("file") && !NodeReader.isNull(a.get("file"))) {
            String expected = "a file path, or nothing for standard output";
            Optional<String> text = r.string(a.get("file"), "audit.file", expected);
            if (text.isPresent() && !text.get().isBlank()) {
                file = r.path(a.get("file"), "audit.file", text.get(), expected).orElse(null);
            }
            if (file != null && (text.get().strip().endsWith("/") || Files.isDirectory(file))) {
                r.problem(a.get("file"), "audit.file", text.get(), "a file, not a directory: name the file the events go to, such as "
                        + text.get().strip().replaceAll("/+$", "") + "/audit.jsonl");
                file = null;
            }
        }
        boolean paths = a.containsKey("paths") && r.bool(a.get("paths"), "audit.paths").orElse(false);
        return new AuditSettings(file, paths);
    }

    private Duration durationOr(Map<String, Node> m, String key, Duration fallback) {
        return m.containsKey(key) ? r.duration(m.get(key), "limits." + key).orElse(fallback) : fallback;
    }

    private int intOr(Map<String, Node> m, String key, int min, int max, int fallback) {
        return m.containsKey(key) ? r.integer(m.get(key), "limits." + key, min, max).orElse(fallback) : fallback;
    }
}
