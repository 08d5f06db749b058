package dev.egressguard.config;

import dev.egressguard.core.policy.DestinationAction;
import dev.egressguard.core.policy.DestinationPattern;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.tls.Credential;
import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.core.tls.PathGlob;
import dev.egressguard.core.tls.RequestRule;
import dev.egressguard.core.tls.TlsRules;
import dev.egressguard.core.tls.TunnelPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads TLS interception: the {@code tls} block, and the {@code intercept} and {@code passthrough}
 * entries under each {@code destinations} entry (that reader leaves those two keys to this one).
 * Secrets are read by {@link CredentialSecrets}, files by {@link TlsFiles}; the checks across
 * entries (a credential no tunnel would use, an intercepted host no destination rule lets through)
 * by {@link TlsChecks}.
 */
final class TlsReader {
    private static final Set<String> TLS = NodeReader.keys("ca", "caCertOut", "upstreamTrust", "stripHeaders", "intercept", "passthrough");
    private static final Set<String> CA = NodeReader.keys("cert", "key");
    private static final Set<String> INTERCEPT = NodeReader.keys("host", "rules", "credential");
    private static final Set<String> RULE = NodeReader.keys("methods", "path", "action", "reason");
    private static final Set<String> CREDENTIAL = NodeReader.keys("secret", "header", "format");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z_-]*");
    /** Headers a credential may not set: framing, routing and hop-by-hop fields. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection", "upgrade", "te",
            "trailer", "keep-alive", "expect");
    private static final String CA_EXPECTED = "ephemeral, or {cert: FILE, key: FILE}";
    private static final String HOST_EXPECTED = "a hostname or *.suffix with an optional :port (IP addresses are not intercepted)";

    private final NodeReader r;
    private final TlsFiles files;
    private final CredentialSecrets secrets;
    private final boolean approver;

    /** {@code approver}: whether {@code approvals} is configured, without which a rule's {@code ask} is an error. */
    TlsReader(NodeReader reader, boolean approver) {
        this.r = reader;
        this.files = new TlsFiles(reader);
        this.secrets = new CredentialSecrets(reader);
        this.approver = approver;
    }

    /** {@code tls} (may be absent) and the {@code destinations} entries' TLS keys, checked against {@code destinations}. */
    TlsSettings read(Node tls, Node destinationsNode, DestinationPolicy destinations) {
        Map<String, TlsRules> byEntry = entries(destinationsNode, destinations);
        if (tls == null && byEntry.isEmpty()) {
            return TlsSettings.none();
        }
        Map<String, Node> m = tls == null || NodeReader.isNull(tls) ? Map.of() : r.mapping(tls, "tls", TLS);
        CaSource ca = m.containsKey("ca") ? ca(m.get("ca")) : CaSource.ephemeral();
        Optional<Path> out = Optional.empty();
        if (m.containsKey("caCertOut") && !NodeReader.isNull(m.get("caCertOut"))) {
            String expected = "a file the proxy writes the CA certificate to";
            out = r.string(m.get("caCertOut"), "tls.caCertOut", expected).flatMap(s -> r.path(m.get("caCertOut"), "tls.caCertOut", s, expected));
        }
        List<TlsSettings.TrustFile> trust = new ArrayList<>();
        if (m.containsKey("upstreamTrust")) {
            List<Node> items = r.sequence(m.get("upstreamTrust"), "tls.upstreamTrust", "PEM files of extra roots for verifying upstreams");
            for (int i = 0; i < items.size(); i++) {
                String path = "tls.upstreamTrust[" + i + "]";
                Node item = items.get(i);
                r.string(item, path, "a PEM file of roots").flatMap(t -> files.trustFile(item, path, t)).ifPresent(trust::add);
            }
        }
        List<String> strip = m.containsKey("stripHeaders") ? headerNames(m.get("stripHeaders"), "tls.stripHeaders") : List.of();
        TlsRules global = rules(m, "tls");
        TunnelPolicy tunnels = TunnelPolicy.of(global, byEntry, strip);
        new TlsChecks(r, destinations).check(tunnels);
        return new TlsSettings(ca, out, trust, tunnels);
    }

    /** The TLS keys under each {@code destinations} entry the destinations reader accepted. */
    private Map<String, TlsRules> entries(Node destinationsNode, DestinationPolicy destinations) {
        Map<String, TlsRules> out = new LinkedHashMap<>();
        if (!(destinationsNode instanceof MappingNode)) {
            return out;
        }
        for (NodeTuple t : ((MappingNode) destinationsNode).getValue()) {
            String name = t.getKeyNode() instanceof ScalarNode ? ((ScalarNode) t.getKeyNode()).getValue() : null;
            if (name == null || !destinations.entries().containsKey(name) || !(t.getValueNode() instanceof MappingNode)) {
                continue; // reported by the destinations reader
            }
            Map<String, Node> m = new LinkedHashMap<>();
            for (NodeTuple e : ((MappingNode) t.getValueNode()).getValue()) {
                if (e.getKeyNode() instanceof ScalarNode) {
                    String key = ((ScalarNode) e.getKeyNode()).getValue();
                    if (key.equals("intercept") || key.equals("passthrough")) {
                        m.put(key, e.getValueNode());
                    }
                }
            }
            if (!m.isEmpty()) {
                out.put(name, rules(m, "destinations." + name));
            }
        }
        return out;
    }

    private TlsRules rules(Map<String, Node> m, String prefix) {
        List<InterceptEntry> intercept = new ArrayList<>();
        if (m.containsKey("intercept")) {
            List<Node> items = r.sequence(m.get("intercept"), prefix + ".intercept", "hosts to intercept, each with host and rules");
            for (int i = 0; i < items.size(); i++) {
                intercept(items.get(i), prefix + ".intercept[" + i + "]").ifPresent(intercept::add);
            }
        }
        List<TlsRules.Passthrough> passthrough = new ArrayList<>();
        if (m.containsKey("passthrough")) {
            List<Node> items = r.sequence(m.get("passthrough"), prefix + ".passthrough", "destination patterns such as *.pinned.example");
            for (int i = 0; i < items.size(); i++) {
                String path = prefix + ".passthrough[" + i + "]";
                Optional<String> text = r.string(items.get(i), path, "a destination pattern such as *.pinned.example");
                Optional<String> problem = text.flatMap(DestinationPattern::problem);
                if (problem.isPresent()) {
                    r.problem(items.get(i), path, text.get(), problem.get());
                } else {
                    text.flatMap(DestinationPattern::tryParse).ifPresent(p -> passthrough.add(new TlsRules.Passthrough(path + ":" + p, p)));
                }
            }
        }
        return new TlsRules(intercept, passthrough);
    }

    private CaSource ca(Node n) {
        if (!(n instanceof MappingNode)) {
            Optional<String> text = r.string(n, "tls.ca", CA_EXPECTED);
            if (text.isPresent() && !text.get().strip().equals("ephemeral")) {
                r.problem(n, "tls.ca", text.get(), CA_EXPECTED);
            }
            return CaSource.ephemeral();
        }
        Map<String, Node> m = r.mapping(n, "tls.ca", CA);
        if (!m.containsKey("cert") || !m.containsKey("key")) {
            r.problem(n, "tls.ca", null, "both cert and key files");
            return CaSource.ephemeral();
        }
        Optional<String> cert = r.string(m.get("cert"), "tls.ca.cert", "the CA certificate file (PEM)");
        Optional<String> key = r.string(m.get("key"), "tls.ca.key", "the CA key file (PEM), readable by its owner only");
        if (cert.isEmpty() || key.isEmpty()) {
            return CaSource.ephemeral();
        }
        return files.ca(m.get("cert"), cert.get(), m.get("key"), key.get()).orElse(CaSource.ephemeral());
    }

    private Optional<InterceptEntry> intercept(Node n, String path) {
        Map<String, Node> m = r.mapping(n, path, INTERCEPT);
        if (!(n instanceof MappingNode)) {
            return Optional.empty();
        }
        int before = r.problems().size();
        DestinationPattern host = null;
        if (!m.containsKey("host")) {
            r.problem(n, path + ".host", null, HOST_EXPECTED);
        } else {
            Optional<String> text = r.string(m.get("host"), path + ".host", HOST_EXPECTED);
            Optional<DestinationPattern> p = text.flatMap(DestinationPattern::tryParse);
            if (text.isPresent() && (p.isEmpty() || p.get().host().isEmpty())) {
                r.problem(m.get("host"), path + ".host", text.get(), HOST_EXPECTED);
            }
            host = p.filter(x -> x.host().isPresent()).orElse(null);
        }
        List<RequestRule> rules = new ArrayList<>();
        if (!m.containsKey("rules")) {
            r.problem(n, path + ".rules", null, "a list of rules (first match decides; no match denies http.rule_denied)");
        } else {
            List<Node> items = r.sequence(m.get("rules"), path + ".rules", "rules such as {methods: [GET], path: \"/repos/**\", action: allow}");
            for (int i = 0; i < items.size(); i++) {
                rule(items.get(i), path + ".rules[" + i + "]").ifPresent(rules::add);
            }
        }
        Optional<Credential> credential = m.containsKey("credential") ? credential(m.get("credential"), path + ".credential") : Optional.empty();
        if (host == null || r.problems().size() != before) {
            return Optional.empty();
        }
        return Optional.of(new InterceptEntry(path, host, rules, credential));
    }

    private Optional<RequestRule> rule(Node n, String path) {
        Map<String, Node> m = r.mapping(n, path, RULE);
        if (!(n instanceof MappingNode)) {
            return Optional.empty();
        }
        int before = r.problems().size();
        List<String> methods = new ArrayList<>();
        if (m.containsKey("methods")) {
            List<Node> items = r.sequence(m.get("methods"), path + ".methods", "HTTP methods such as GET");
            for (int i = 0; i < items.size(); i++) {
                Optional<String> method = r.string(items.get(i), path + ".methods[" + i + "]", "an HTTP method such as GET, in capitals");
                if (method.isPresent() && !METHOD.matcher(method.get().strip()).matches()) {
                    r.problem(items.get(i), path + ".methods[" + i + "]", method.get(), "an HTTP method such as GET, in capitals");
                }
                method.map(String::strip).ifPresent(methods::add);
            }
        }
        PathGlob glob = null;
        if (!m.containsKey("path")) {
            r.problem(n, path + ".path", null, "a path pattern such as /repos/my-org/**");
        } else {
            Optional<String> text = r.string(m.get("path"), path + ".path", "a path pattern such as /repos/my-org/**");
            Optional<String> problem = text.flatMap(t -> PathGlob.problem(t.strip()));
            if (problem.isPresent()) {
                r.problem(m.get("path"), path + ".path", text.get(), problem.get());
            } else {
                glob = text.map(t -> PathGlob.parse(t.strip())).orElse(null);
            }
        }
        DestinationAction action = null;
        if (!m.containsKey("action")) {
            r.problem(n, path + ".action", null, "allow, deny or ask");
        } else {
            Optional<String> text = r.string(m.get("action"), path + ".action", "allow, deny or ask");
            action = text.flatMap(t -> DestinationAction.fromCode(t.strip())).orElse(null);
            if (text.isPresent() && action == null) {
                r.problem(m.get("action"), path + ".action", text.get(), "allow, deny or ask");
            } else if (action == DestinationAction.ASK && !approver) {
                r.problem(m.get("action"), path + ".action", "ask", "approvals.url to be set: ask consults the operator's approver (or use allow or deny)");
            }
        }
        Optional<String> reason = m.containsKey("reason") ? r.string(m.get("reason"), path + ".reason", "a one-line reason for the agent")
                .map(String::strip) : Optional.empty();
        if (reason.isPresent() && (reason.get().isEmpty() || reason.get().length() > DestinationsReader.MAX_MESSAGE
                || reason.get().chars().anyMatch(Character::isISOControl))) {
            r.problem(m.get("reason"), path + ".reason", reason.get(), "a one-line reason for the agent, at most " + DestinationsReader.MAX_MESSAGE + " characters");
        }
        if (glob == null || action == null || r.problems().size() != before) {
            return Optional.empty();
        }
        return Optional.of(new RequestRule(path, methods, glob, action, reason));
    }

    private Optional<Credential> credential(Node n, String path) {
        Map<String, Node> m = r.mapping(n, path, CREDENTIAL);
        if (!(n instanceof MappingNode)) {
            return Optional.empty();
        }
        int before = r.problems().size();
        Optional<CredentialSecrets.Secret> secret = Optional.empty();
        if (!m.containsKey("secret")) {
            r.problem(n, path + ".secret", null, "{env: NAME} or {file: FILE}");
        } else {
            secret = secrets.read(m.get("secret"), path + ".secret");
        }
        String header = null;
        if (!m.containsKey("header")) {
            r.problem(n, path + ".header", null, "the header the credential goes in, such as Authorization");
        } else {
            header = headerName(m.get("header"), path + ".header").orElse(null);
        }
        String format = Credential.PLACEHOLDER;
        if (m.containsKey("format")) {
            format = r.string(m.get("format"), path + ".format", "the header value with {secret} once, such as \"Bearer {secret}\"").orElse(null);
            if (format != null && (format.indexOf(Credential.PLACEHOLDER) < 0 || format.indexOf(Credential.PLACEHOLDER) != format.lastIndexOf(Credential.PLACEHOLDER)
                    || format.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f))) {
                r.problem(m.get("format"), path + ".format", format, "the header value with {secret} exactly once, such as \"Bearer {secret}\"");
            }
        }
        if (secret.isEmpty() || header == null || format == null || r.problems().size() != before) {
            return Optional.empty();
        }
        return Optional.of(Credential.of(header, format, secret.get().source(), secret.get().value()));
    }

    private List<String> headerNames(Node n, String path) {
        List<String> out = new ArrayList<>();
        List<Node> items = r.sequence(n, path, "header names such as X-Goog-Api-Key");
        for (int i = 0; i < items.size(); i++) {
            headerName(items.get(i), path + "[" + i + "]").ifPresent(out::add);
        }
        return out;
    }

    private Optional<String> headerName(Node n, String path) {
        Optional<String> name = r.string(n, path, "a header name such as Authorization");
        if (name.isPresent() && (!TOKEN.matcher(name.get().strip()).matches() || RESERVED.contains(name.get().strip().toLowerCase(Locale.ROOT))
                || name.get().strip().toLowerCase(Locale.ROOT).startsWith("proxy-"))) {
            r.problem(n, path, name.get(), "a header name such as Authorization (not a framing, hop-by-hop or Proxy-* header)");
            return Optional.empty();
        }
        return name.map(String::strip);
    }
}
