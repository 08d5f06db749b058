package dev.egressguard.config;

import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.DestinationAction;
import dev.egressguard.core.policy.DestinationPattern;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.policy.DestinationRules;
import dev.egressguard.core.policy.Identities;
import dev.egressguard.core.policy.Identity;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads who may go where: {@code identities}, {@code destinations} and {@code approvals}. */
final class DestinationsReader {
    private static final Set<String> IDENTITY = NodeReader.keys("name", "users", "clients");
    /** {@code intercept} and {@code passthrough} are read by {@link TlsReader}. */
    private static final Set<String> ENTRY = NodeReader.keys("default", "allow", "deny", "ask", "message", "intercept", "passthrough");
    private static final Set<String> APPROVALS = NodeReader.keys("url", "timeout", "cacheFor");
    /** Longest {@code message}: it is shown to an agent and written to the audit log. */
    static final int MAX_MESSAGE = 300;
    private static final String MESSAGE_EXPECTED = "a one-line message for the agent, at most " + MAX_MESSAGE
            + " characters, without control characters";
    private static final String ASK_NEEDS_APPROVER = "approvals.url to be set: ask consults the operator's approver (or use allow or deny)";

    private final NodeReader r;
    private final Set<String> declaredNames = new LinkedHashSet<>();

    DestinationsReader(NodeReader reader) {
        this.r = reader;
    }

    /** {@code identities}; a user must be one {@code auth.users} declares ({@code users}). */
    Identities identities(Node n, Set<String> users) {
        List<Node> items = r.sequence(n, "identities", "identities with a name and users and/or clients");
        List<Identity> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String path = "identities[" + i + "]";
            Node item = items.get(i);
            Map<String, Node> m = r.mapping(item, path, IDENTITY);
            if (!(item instanceof MappingNode)) {
                continue;
            }
            Optional<String> name = Optional.empty();
            if (!m.containsKey("name")) {
                r.problem(item, path + ".name", null, "a name for the identity");
            } else {
                name = r.string(m.get("name"), path + ".name", "a name for the identity");
                name.ifPresent(declaredNames::add);
                Optional<String> problem = name.flatMap(Identity::nameProblem);
                if (problem.isPresent()) {
                    r.problem(m.get("name"), path + ".name", name.get(), problem.get());
                    name = Optional.empty();
                } else if (name.isPresent() && !seen.add(name.get())) {
                    r.problem(m.get("name"), path + ".name", name.get(), "each identity name once");
                    name = Optional.empty();
                }
            }
            List<String> members = m.containsKey("users") ? users(m.get("users"), path + ".users", users) : List.of();
            List<IpRange> clients = m.containsKey("clients") ? r.cidrs(m.get("clients"), path + ".clients") : List.of();
            if (isEmptyList(m, "users") && isEmptyList(m, "clients")) {
                r.problem(item, path, null, "at least one of users or clients (connections no identity matches are default)");
            } else if (name.isPresent() && (!members.isEmpty() || !clients.isEmpty())) {
                out.add(new Identity(name.get(), members, clients));
            }
        }
        return Identities.of(out);
    }

    /** Absent, or an empty list: a key that names nobody. A value of the wrong shape is reported by its reader. */
    private static boolean isEmptyList(Map<String, Node> m, String key) {
        Node n = m.get(key);
        return n == null || NodeReader.isNull(n) || (n instanceof SequenceNode && ((SequenceNode) n).getValue().isEmpty());
    }

    private List<String> users(Node n, String path, Set<String> known) {
        List<String> out = new ArrayList<>();
        List<Node> items = r.sequence(n, path, "user names from auth.users");
        for (int j = 0; j < items.size(); j++) {
            String itemPath = path + "[" + j + "]";
            Optional<String> user = r.string(items.get(j), itemPath, "a user name from auth.users");
            if (user.isPresent() && !known.contains(user.get())) {
                r.problem(items.get(j), itemPath, user.get(), known.isEmpty() ? "a user of auth.users, which has none"
                        : "a user of auth.users: one of " + String.join(", ", known));
            } else {
                user.ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * {@code destinations}, keyed by identity name or {@code default}; {@code approver} tells
     * whether {@code approvals} is configured, without which {@code ask} is an error.
     */
    DestinationPolicy destinations(Node n, Identities identities, boolean approver) {
        if (NodeReader.isNull(n)) {
            return DestinationPolicy.of(identities, List.of());
        }
        Set<String> names = new LinkedHashSet<>();
        names.add(Identities.DEFAULT);
        identities.all().forEach(i -> names.add(i.name()));
        // a name declared but refused under identities is reported there, not here again
        Map<String, Node> entries = r.mapping(n, "destinations", "a mapping from identity names (or default) to their destinations",
                key -> names.contains(key) || declaredNames.contains(key),
                key -> "the name of an identity, or default: one of " + String.join(", ", names) + NodeReader.suggestion(key, names));
        List<DestinationRules> rules = new ArrayList<>();
        for (Map.Entry<String, Node> e : entries.entrySet()) {
            entry(e.getKey(), e.getValue(), approver).ifPresent(rules::add);
        }
        rules.removeIf(rule -> !rule.identity().equals(Identities.DEFAULT) && identities.named(rule.identity()).isEmpty());
        return DestinationPolicy.of(identities, rules);
    }

    private Optional<DestinationRules> entry(String identity, Node n, boolean approver) {
        String path = "destinations." + identity;
        Map<String, Node> m = r.mapping(n, path, ENTRY);
        if (!(n instanceof MappingNode)) {
            return Optional.empty();
        }
        int before = r.problems().size();
        DestinationAction action = null;
        if (!m.containsKey("default")) {
            r.problem(n, path + ".default", null, "allow, deny or ask: what happens to a host no pattern names");
        } else {
            Optional<String> text = r.string(m.get("default"), path + ".default", "allow, deny or ask");
            action = text.flatMap(t -> DestinationAction.fromCode(t.strip())).orElse(null);
            if (text.isPresent() && action == null) {
                r.problem(m.get("default"), path + ".default", text.get(), "allow, deny or ask");
            }
        }
        List<DestinationPattern> deny = patterns(m.get("deny"), path + ".deny");
        List<DestinationPattern> allow = patterns(m.get("allow"), path + ".allow");
        List<DestinationPattern> ask = patterns(m.get("ask"), path + ".ask");
        String message = m.containsKey("message") ? message(m.get("message"), path + ".message") : null;
        if (!approver && !isEmptyList(m, "ask")) {
            r.problem(m.get("ask"), path + ".ask", null, ASK_NEEDS_APPROVER);
        }
        if (!approver && action == DestinationAction.ASK) {
            r.problem(m.get("default"), path + ".default", "ask", ASK_NEEDS_APPROVER);
        }
        if (action == null || r.problems().size() != before) {
            return Optional.empty();
        }
        return Optional.of(DestinationRules.of(identity, action, deny, allow, ask, message));
    }

    private List<DestinationPattern> patterns(Node n, String path) {
        List<DestinationPattern> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        List<Node> items = r.sequence(n, path, "destination patterns such as api.example.com:443, *.example.com or 203.0.113.0/24");
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + "[" + i + "]";
            Optional<String> text = r.string(items.get(i), itemPath, "a destination pattern such as api.example.com:443");
            Optional<String> problem = text.flatMap(DestinationPattern::problem);
            if (problem.isPresent()) {
                r.problem(items.get(i), itemPath, text.get(), problem.get());
            } else {
                text.flatMap(DestinationPattern::tryParse).ifPresent(out::add);
            }
        }
        return out;
    }

    private String message(Node n, String path) {
        Optional<String> text = r.string(n, path, MESSAGE_EXPECTED);
        if (text.isEmpty()) {
            return null;
        }
        String s = text.get().strip();
        boolean control = s.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR);
        if (s.isEmpty() || control || s.codePointCount(0, s.length()) > MAX_MESSAGE) {
            r.problem(n, path, text.get(), MESSAGE_EXPECTED);
            return null;
        }
        return s;
    }

    /** {@code approvals}: the approver's URL, timeout and how long its answers are remembered. */
    Optional<ApprovalSettings> approvals(Node n) {
        Map<String, Node> a = r.mapping(n, "approvals", APPROVALS);
        if (!(n instanceof MappingNode)) {
            return Optional.empty();
        }
        URI url = null;
        if (!a.containsKey("url")) {
            r.problem(n, "approvals.url", null, ApprovalSettings.URL_EXPECTED);
        } else {
            Optional<String> text = r.string(a.get("url"), "approvals.url", ApprovalSettings.URL_EXPECTED);
            if (text.isPresent() && ApprovalSettings.urlProblem(text.get().strip()).isPresent()) {
                r.problem(a.get("url"), "approvals.url", text.get(), ApprovalSettings.URL_EXPECTED);
            } else if (text.isPresent()) {
                url = URI.create(text.get().strip());
            }
        }
        Duration timeout = ApprovalSettings.DEFAULT_TIMEOUT;
        if (a.containsKey("timeout")) {
            timeout = r.duration(a.get("timeout"), "approvals.timeout").orElse(null);
            if (timeout != null && timeout.compareTo(ApprovalSettings.MAX_TIMEOUT) > 0) {
                r.problem(a.get("timeout"), "approvals.timeout", NodeReader.scalarText(a.get("timeout")), "a duration > 0 and at most 10m");
                timeout = null;
            }
        }
        Duration cacheFor = a.containsKey("cacheFor") ? r.duration(a.get("cacheFor"), "approvals.cacheFor").orElse(null)
                : ApprovalSettings.DEFAULT_CACHE_FOR;
        return url == null || timeout == null || cacheFor == null ? Optional.empty()
                : Optional.of(new ApprovalSettings(url, timeout, cacheFor));
    }
}
