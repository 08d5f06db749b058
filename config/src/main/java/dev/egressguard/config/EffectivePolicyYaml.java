package dev.egressguard.config;

import dev.egressguard.core.classify.BlockedHostnames;
import dev.egressguard.core.classify.EmbeddingKind;
import dev.egressguard.core.classify.SpecialUseRanges;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.AllowRule;
import dev.egressguard.core.policy.DestinationPattern;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.policy.DestinationRules;
import dev.egressguard.core.policy.Identity;
import dev.egressguard.core.policy.Policy;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Renders a {@link PolicyFile} as the YAML of its effective policy: every key with its value,
 * defaults included, and the built-in denied table as comments. No secret is ever rendered: for
 * {@code auth.users} only names and the kind of secret appear. Without users the output loads back
 * into the same policy.
 */
public final class EffectivePolicyYaml {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9./_:-]*");
    /** How the loader's YAML reader types a plain scalar (it never changes, so one serves every call). */
    private static final Resolver RESOLVER = new Resolver();

    private EffectivePolicyYaml() {}

    public static String render(PolicyFile file) {
        Policy p = file.policy();
        StringBuilder y = new StringBuilder();
        y.append("# effective policy; source: ").append(file.source()).append('\n');
        y.append("listen: ").append(scalar(listen(file.listen()))).append('\n');
        y.append("mode: ").append(p.mode().code()).append('\n');
        y.append("embeddedIpv4: ").append(p.embeddedIpv4().code()).append('\n');
        y.append("clients:\n  allow: ").append(list(file.clientsAllow().stream().map(IpRange::toString).collect(Collectors.toList()))).append('\n');
        if (!file.access().proxyProtocolTrusted().isEmpty()) {
            y.append("  proxyProtocol:\n    trusted: ").append(list(file.access().proxyProtocolTrusted().stream().map(IpRange::toString)
                    .collect(Collectors.toList()))).append('\n');
        }
        if (file.access().requiresAuth()) {
            // names and where each secret comes from; the secrets and their hashes are never shown
            y.append("auth:\n  users:\n");
            for (ProxyUser u : file.access().users()) {
                y.append("    - name: ").append(quoted(u.name())).append("   # secret: ").append(u.source().replaceAll("[\\r\\n]", " ")).append('\n');
            }
        }
        y.append("deny:\n");
        builtInTable(y);
        y.append("  ranges: ").append(list(p.deniedRanges().stream().map(d -> d.range().toString()).collect(Collectors.toList()))).append('\n');
        y.append("  hostnames: ").append(list(p.deniedHostnames().stream().map(HostPattern::toString).collect(Collectors.toList()))).append('\n');
        if (p.allowRules().isEmpty()) {
            y.append("allow: []\n");
        } else {
            y.append("allow:\n");
            for (AllowRule r : p.allowRules()) {
                y.append("  - ").append(r.cidr().isPresent() ? "cidr: " + scalar(r.cidr().get().toString())
                        : "host: " + scalar(r.host().orElseThrow().toString())).append('\n');
                y.append("    ports: ").append(list(r.ports().entries())).append('\n');
                y.append("    reason: ").append(quoted(r.reason())).append('\n');
            }
        }
        y.append("ports: ").append(list(p.ports().entries())).append('\n');
        whoGoesWhere(y, file);
        TlsYaml.render(y, file.tls());
        y.append("dns:\n");
        y.append("  servers: ").append(list(file.dns().servers().stream().map(EffectivePolicyYaml::listen).collect(Collectors.toList()))).append('\n');
        y.append("  timeout: ").append(duration(file.dns().timeout())).append('\n');
        Limits l = file.limits();
        y.append("limits:\n");
        y.append("  connectTimeout: ").append(duration(l.connectTimeout())).append('\n');
        y.append("  idleTimeout: ").append(duration(l.idleTimeout())).append('\n');
        y.append("  requestHeaderTimeout: ").append(duration(l.requestHeaderTimeout())).append('\n');
        y.append("  maxHeaderBytes: ").append(l.maxHeaderBytes()).append('\n');
        y.append("  maxConnections: ").append(l.maxConnections()).append('\n');
        y.append("  maxConnectionsPerClient: ").append(l.maxConnectionsPerClient()).append('\n');
        y.append("  maxTunnels: ").append(l.maxTunnels()).append('\n');
        y.append("  requestsPerSecondPerClient: ").append(l.requestsPerSecondPerClient()).append('\n');
        y.append("  drainTimeout: ").append(duration(l.drainTimeout())).append('\n');
        y.append("  upstreamIdleTimeout: ").append(duration(l.upstreamIdleTimeout())).append('\n');
        if (file.admin().off() || file.admin().listen().isPresent()) {
            y.append("admin:\n  listen: ").append(file.admin().off() ? "off" : scalar(listen(file.admin().listen().get()))).append('\n');
        } else {
            y.append("# admin:\n#   listen: ").append(listen(AdminSettings.DEFAULT_LISTEN)).append("   (egressguard proxy's default)\n");
        }
        if (file.socksListen().isPresent()) {
            y.append("socks:\n  listen: ").append(scalar(listen(file.socksListen().get()))).append('\n');
        }
        y.append("audit:\n  file: ").append(file.audit().fileIfSet().map(f -> quoted(f.toString())).orElse("      # standard output")).append('\n');
        y.append("  paths: ").append(file.audit().paths()).append("   # paths of intercepted requests in audit events (never queries)\n");
        return y.toString();
    }

    /** {@code identities}, {@code destinations} and {@code approvals}. */
    private static void whoGoesWhere(StringBuilder y, PolicyFile file) {
        DestinationPolicy d = file.destinations();
        if (d.identities().isEmpty()) {
            y.append("identities: []\n");
        } else {
            y.append("identities:\n");
            for (Identity i : d.identities().all()) {
                y.append("  - name: ").append(scalar(i.name())).append('\n');
                if (!i.users().isEmpty()) {
                    y.append("    users: ").append(list(i.users())).append('\n');
                }
                if (!i.clients().isEmpty()) {
                    y.append("    clients: ").append(list(i.clients().stream().map(IpRange::toString).collect(Collectors.toList()))).append('\n');
                }
            }
        }
        if (d.isEmpty()) {
            y.append("destinations: {}   # none: every destination the denylist allows\n");
        } else {
            y.append("destinations:\n");
            for (DestinationRules r : d.entries().values()) {
                y.append("  ").append(scalar(r.identity())).append(":\n");
                y.append("    default: ").append(r.defaultAction().code()).append('\n');
                patterns(y, "deny", r.deny());
                patterns(y, "allow", r.allow());
                patterns(y, "ask", r.ask());
                r.message().ifPresent(m -> y.append("    message: ").append(quoted(m)).append('\n'));
                TlsSettings tls = file.tls();
                if (tls.tunnels().byEntry().containsKey(r.identity())) {
                    TlsYaml.rules(y, tls.tunnels().byEntry().get(r.identity()), "    ");
                }
            }
        }
        if (file.approvals().isPresent()) {
            ApprovalSettings a = file.approvals().get();
            y.append("approvals:\n");
            y.append("  url: ").append(scalar(a.url().toString())).append('\n');
            y.append("  timeout: ").append(duration(a.timeout())).append('\n');
            y.append("  cacheFor: ").append(duration(a.cacheFor())).append('\n');
        } else {
            y.append("# approvals: none (needed for ask)\n");
        }
    }

    private static void patterns(StringBuilder y, String key, List<DestinationPattern> patterns) {
        if (!patterns.isEmpty()) {
            y.append("    ").append(key).append(": ").append(list(patterns.stream().map(DestinationPattern::toString)
                    .collect(Collectors.toList()))).append('\n');
        }
    }

    private static void builtInTable(StringBuilder y) {
        y.append("  # built in and always applied (open exceptions with allow rules):\n");
        for (SpecialUseRanges.Entry e : SpecialUseRanges.all()) {
            y.append(String.format("  #   %-22s %s%n", e.range(),
                    e.reason().map(r -> r.code()).orElse("globally reachable carve-out")));
        }
        for (EmbeddingKind k : EmbeddingKind.values()) {
            y.append(String.format("  #   %-22s ip.embedded_ipv4 (%s)%n", k.prefixText(),
                    k == EmbeddingKind.ISATAP ? "always judged by the IPv4 inside" : "per embeddedIpv4"));
        }
        y.append("  #   names: ").append(BlockedHostnames.DEFAULTS.stream().map(HostPattern::toString)
                .collect(Collectors.joining(", "))).append("   host.blocked_name\n");
        y.append("  #   non-canonical IPv4 spellings (0177.0.0.1, 127.1, 0x7f000001, 2130706433)   host.legacy_ipv4_literal\n");
    }

    static String listen(HostPort hp) {
        return Hostnames.bracketIpv6(hp.host()) + ":" + hp.port();
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static String list(List<String> items) {
        return items.stream().map(EffectivePolicyYaml::scalar).collect(Collectors.joining(", ", "[", "]"));
    }

    /**
     * {@code s} as a YAML scalar: plain when it is safe to be, double-quoted otherwise, and always
     * quoted when a YAML reader would take the plain text for something other than a string
     * ({@code null}, {@code Null}, {@code true}, {@code off}, ...): a reason or a name {@code null}
     * must read back as that text, not as nothing.
     */
    public static String scalar(String s) {
        return PLAIN.matcher(s).matches() && !readsAsNullOrBoolean(s) ? s : quoted(s);
    }

    private static boolean readsAsNullOrBoolean(String s) {
        Tag tag = RESOLVER.resolve(NodeId.scalar, s, true);
        return tag.equals(Tag.NULL) || tag.equals(Tag.BOOL);
    }

    static String quoted(String s) {
        return ConfigProblem.quoted(s, Integer.MAX_VALUE);
    }
}
