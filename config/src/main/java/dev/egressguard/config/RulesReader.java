package dev.egressguard.config;

import dev.egressguard.core.classify.EmbeddedIpv4Mode;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.policy.AllowRule;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.Policy;
import dev.egressguard.core.policy.PortSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the destination policy's own keys into a {@link Policy.Builder}: {@code mode},
 * {@code embeddedIpv4}, {@code deny}, {@code allow} and {@code ports}.
 */
final class RulesReader {
    private static final Set<String> DENY = NodeReader.keys("ranges", "hostnames");
    private static final Set<String> ALLOW_RULE = NodeReader.keys("cidr", "host", "ports", "reason");

    private final NodeReader r;
    private final Policy.Builder policy;

    RulesReader(NodeReader reader, Policy.Builder policy) {
        this.r = reader;
        this.policy = policy;
    }

    /** {@code mode} and {@code embeddedIpv4}. */
    void modes(Map<String, Node> top) {
        if (top.containsKey("mode")) {
            r.string(top.get("mode"), "mode", "enforce or report").ifPresent(s -> EnforcementMode.fromCode(s)
                    .ifPresentOrElse(policy::mode, () -> r.problem(top.get("mode"), "mode", s, "enforce or report")));
        }
        if (top.containsKey("embeddedIpv4")) {
            Node n = top.get("embeddedIpv4");
            r.string(n, "embeddedIpv4", "block-prefix or decode").ifPresent(s -> EmbeddedIpv4Mode.fromCode(s)
                    .ifPresentOrElse(policy::embeddedIpv4, () -> r.problem(n, "embeddedIpv4", s, "block-prefix or decode")));
        }
    }

    /** {@code deny}, {@code allow} and {@code ports}. */
    void rules(Map<String, Node> top) {
        if (top.containsKey("deny")) {
            Map<String, Node> d = r.mapping(top.get("deny"), "deny", DENY);
            if (d.containsKey("ranges")) {
                r.cidrs(d.get("ranges"), "deny.ranges").forEach(policy::denyRange);
            }
            if (d.containsKey("hostnames")) {
                hostPatterns(d.get("hostnames"), "deny.hostnames").forEach(policy::denyHostname);
            }
        }
        if (top.containsKey("allow")) {
            List<Node> rules = r.sequence(top.get("allow"), "allow", "rules with cidr or host, ports and reason");
            for (int i = 0; i < rules.size(); i++) {
                allowRule(rules.get(i), "allow[" + i + "]").ifPresent(policy::allow);
            }
        }
        if (top.containsKey("ports")) {
            ports(top.get("ports"), "ports").ifPresent(policy::ports);
        }
    }

    private List<HostPattern> hostPatterns(Node n, String path) {
        List<HostPattern> out = new ArrayList<>();
        List<Node> items = r.sequence(n, path, "hostnames or *.suffix patterns");
        for (int i = 0; i < items.size(); i++) {
            hostPattern(items.get(i), path + "[" + i + "]").ifPresent(out::add);
        }
        return out;
    }

    private Optional<HostPattern> hostPattern(Node n, String path) {
        Optional<String> text = r.string(n, path, "a hostname or *.suffix");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> problem = HostPattern.problem(text.get().strip());
        if (problem.isPresent()) {
            r.problem(n, path, text.get(), problem.get());
            return Optional.empty();
        }
        return HostPattern.tryParse(text.get().strip());
    }

    private Optional<AllowRule> allowRule(Node n, String path) {
        Map<String, Node> m = r.mapping(n, path, ALLOW_RULE);
        if (!(n instanceof MappingNode)) {
            return Optional.empty();
        }
        boolean hasCidr = m.containsKey("cidr");
        boolean hasHost = m.containsKey("host");
        if (hasCidr == hasHost) {
            r.problem(n, path, null, "exactly one of cidr or host");
        }
        PortSet ports = PortSet.ANY;
        if (m.containsKey("ports")) {
            ports = ports(m.get("ports"), path + ".ports").orElse(PortSet.ANY);
        }
        String reason = null;
        if (!m.containsKey("reason")) {
            r.problem(n, path + ".reason", null, "a short reason for this exception (audit and lint show it)");
        } else {
            reason = r.string(m.get("reason"), path + ".reason", "a short reason for this exception").map(String::strip).orElse(null);
            if (reason != null && reason.isEmpty()) {
                r.problem(m.get("reason"), path + ".reason", "", "a short reason for this exception");
            }
        }
        if (hasCidr && !hasHost && reason != null) {
            PortSet p = ports;
            String why = reason;
            return r.cidr(m.get("cidr"), path + ".cidr").map(c -> AllowRule.cidr(c, p, why));
        }
        if (hasHost && !hasCidr && reason != null) {
            PortSet p = ports;
            String why = reason;
            return hostPattern(m.get("host"), path + ".host").map(h -> AllowRule.host(h, p, why));
        }
        if (hasCidr) {
            r.cidr(m.get("cidr"), path + ".cidr");
        }
        if (hasHost) {
            hostPattern(m.get("host"), path + ".host");
        }
        return Optional.empty();
    }

    private Optional<PortSet> ports(Node n, String path) {
        String expected = "a port 1..65535, a range \"8000-8999\", or any";
        List<Node> items = r.sequence(n, path, "ports (443), ranges (\"8000-8999\") or any");
        List<int[]> ranges = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            Optional<String> text = r.string(items.get(i), path + "[" + i + "]", expected);
            Optional<int[]> range = text.flatMap(PortSet::parseEntry);
            if (range.isPresent()) {
                ranges.add(range.get());
            } else {
                ok = false;
                Node item = items.get(i);
                String itemPath = path + "[" + i + "]";
                text.ifPresent(t -> r.problem(item, itemPath, t, expected));
            }
        }
        if (ok && ranges.isEmpty() && n instanceof SequenceNode) {
            r.problem(n, path, "[]", "at least one port; an empty list would deny every destination (omit the key for any port)");
            return Optional.empty();
        }
        return ok && !ranges.isEmpty() ? Optional.of(PortSet.of(ranges)) : Optional.empty();
    }
}
