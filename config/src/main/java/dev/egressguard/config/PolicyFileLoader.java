package dev.egressguard.config;

import dev.egressguard.core.classify.EmbeddedIpv4Mode;
import dev.egressguard.core.io.BoundedReads;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.AllowRule;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.Policy;
import dev.egressguard.core.policy.PortSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a policy file (YAML) into a validated {@link PolicyFile}. Every problem is collected and
 * reported at once in a {@link ConfigException}; nothing half-valid is ever returned. The schema is
 * documented in {@code docs/policy.md}.
 */
public final class PolicyFileLoader {
    /** Largest policy file accepted. */
    public static final int MAX_FILE_BYTES = 1024 * 1024;
    static final String DEFAULT_RESOURCE = "/dev/egressguard/config/default-policy.yaml";

    private static final Set<String> TOP = orderedSet("listen", "mode", "embeddedIpv4", "clients", "auth", "deny", "allow",
            "ports", "dns", "limits", "audit", "admin");
    private static final Set<String> CLIENTS = orderedSet("allow", "proxyProtocol");
    private static final Set<String> PROXY_PROTOCOL = orderedSet("trusted");
    private static final Set<String> AUTH = orderedSet("users");
    private static final Set<String> USER = orderedSet("name", "passwordHash", "passwordFile", "passwordEnv");
    private static final Set<String> ADMIN = orderedSet("listen");
    private static final Set<String> DENY = orderedSet("ranges", "hostnames");
    private static final Set<String> ALLOW_RULE = orderedSet("cidr", "host", "ports", "reason");
    private static final Set<String> DNS = orderedSet("servers", "timeout");
    private static final Set<String> LIMITS = orderedSet("connectTimeout", "idleTimeout", "requestHeaderTimeout",
            "maxHeaderBytes", "maxConnections", "maxConnectionsPerClient", "maxTunnels", "requestsPerSecondPerClient",
            "drainTimeout");
    private static final Set<String> AUDIT = orderedSet("file");
    static final HostPort DEFAULT_LISTEN = HostPort.of("127.0.0.1", 3128);
    static final List<IpRange> DEFAULT_CLIENTS = List.of(IpRange.parse("127.0.0.0/8"), IpRange.parse("::1/128"));

    private PolicyFileLoader() {}

    /** The embedded default policy: what {@code egressguard proxy} runs with no configuration. */
    public static PolicyFile embeddedDefault() {
        return parse(embeddedDefaultText(), PolicyFile.EMBEDDED_SOURCE);
    }

    /** The text of the embedded default policy file. */
    public static String embeddedDefaultText() {
        try (InputStream in = PolicyFileLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    public static PolicyFile load(Path file) {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = BoundedReads.readFile(file, MAX_FILE_BYTES); // a pipe or a device has no size to check first
        } catch (BoundedReads.TooLargeException e) {
            throw single(source, "", file.toString(), "a policy file of at most " + MAX_FILE_BYTES + " bytes");
        } catch (IOException e) {
            throw single(source, "", file.toString(), "a readable file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        return parse(bytes, source);
    }

    /** Parses a policy file's bytes (UTF-8, at most {@link #MAX_FILE_BYTES}); {@code source} names it in messages. */
    public static PolicyFile parse(byte[] bytes, String source) {
        if (bytes.length > MAX_FILE_BYTES) {
            throw single(source, "", null, "a policy file of at most " + MAX_FILE_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw single(source, "", null, "UTF-8 text");
        }
        return parse(text, source);
    }

    /** Parses policy text; {@code source} names it in messages. */
    public static PolicyFile parse(String text, String source) {
        if (text.length() > MAX_FILE_BYTES) {
            throw single(source, "", null, "a policy file of at most " + MAX_FILE_BYTES + " bytes");
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_FILE_BYTES);
        Node root;
        try {
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 0 : mark.getLine() + 1;
            String what = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new ConfigException(List.of(new ConfigProblem(source, line, "", null, "valid YAML; " + what)));
        } catch (YAMLException e) {
            throw single(source, "", null, "valid YAML; " + e.getMessage());
        }
        return new Parsing(new NodeReader(source), source).read(root);
    }

    private static ConfigException single(String source, String path, String value, String expected) {
        return new ConfigException(List.of(new ConfigProblem(source, 0, path, value, expected)));
    }

    private static Set<String> orderedSet(String... keys) {
        return new LinkedHashSet<>(List.of(keys));
    }

    /** One parse: reads every section, collecting problems, and builds only when there are none. */
    private static final class Parsing {
        private final NodeReader r;
        private final String source;

        Parsing(NodeReader reader, String source) {
            this.r = reader;
            this.source = source;
        }

        PolicyFile read(Node root) {
            Map<String, Node> top = root == null || NodeReader.isNull(root) ? Map.of() : r.mapping(root, "", TOP);
            HostPort listen = top.containsKey("listen") ? listen(top.get("listen")) : DEFAULT_LISTEN;
            Policy.Builder policy = Policy.builder();
            if (top.containsKey("mode")) {
                r.string(top.get("mode"), "mode", "enforce or report").ifPresent(s -> EnforcementMode.fromCode(s)
                        .ifPresentOrElse(policy::mode, () -> r.problem(top.get("mode"), "mode", s, "enforce or report")));
            }
            if (top.containsKey("embeddedIpv4")) {
                Node n = top.get("embeddedIpv4");
                r.string(n, "embeddedIpv4", "block-prefix or decode").ifPresent(s -> EmbeddedIpv4Mode.fromCode(s)
                        .ifPresentOrElse(policy::embeddedIpv4, () -> r.problem(n, "embeddedIpv4", s, "block-prefix or decode")));
            }
            List<IpRange> clients = DEFAULT_CLIENTS;
            List<IpRange> trustedBalancers = List.of();
            if (top.containsKey("clients")) {
                Map<String, Node> c = r.mapping(top.get("clients"), "clients", CLIENTS);
                if (c.containsKey("allow")) {
                    clients = cidrs(c.get("allow"), "clients.allow");
                    if (clients.isEmpty()) {
                        r.problem(c.get("allow"), "clients.allow", "[]", "at least one CIDR; with none, no client could use the proxy");
                    }
                }
                if (c.containsKey("proxyProtocol")) {
                    Map<String, Node> pp = r.mapping(c.get("proxyProtocol"), "clients.proxyProtocol", PROXY_PROTOCOL);
                    if (pp.containsKey("trusted")) {
                        trustedBalancers = cidrs(pp.get("trusted"), "clients.proxyProtocol.trusted");
                        if (trustedBalancers.isEmpty()) {
                            r.problem(pp.get("trusted"), "clients.proxyProtocol.trusted", "[]",
                                    "the load balancers' CIDRs whose PROXY header is believed (omit proxyProtocol to turn it off)");
                        }
                    } else {
                        r.problem(c.get("proxyProtocol"), "clients.proxyProtocol.trusted", null, "the load balancers' CIDRs");
                    }
                }
            }
            List<ProxyUser> users = top.containsKey("auth") ? users(top.get("auth")) : List.of();
            AdminSettings admin = top.containsKey("admin") ? admin(top.get("admin")) : AdminSettings.unset();
            if (top.containsKey("deny")) {
                Map<String, Node> d = r.mapping(top.get("deny"), "deny", DENY);
                if (d.containsKey("ranges")) {
                    cidrs(d.get("ranges"), "deny.ranges").forEach(policy::denyRange);
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
            DnsSettings dns = top.containsKey("dns") ? dns(top.get("dns")) : DnsSettings.defaults();
            Limits limits = top.containsKey("limits") ? limits(top.get("limits")) : Limits.defaults();
            AuditSettings audit = AuditSettings.defaults();
            if (top.containsKey("audit")) {
                Map<String, Node> a = r.mapping(top.get("audit"), "audit", AUDIT);
                if (a.containsKey("file") && !NodeReader.isNull(a.get("file"))) {
                    Optional<String> file = r.string(a.get("file"), "audit.file", "a file path, or nothing for standard output");
                    if (file.isPresent() && !file.get().isBlank()) {
                        audit = new AuditSettings(Path.of(file.get().strip()));
                    }
                }
            }
            AccessSettings access = new AccessSettings(clients, trustedBalancers, users);
            access.exposureProblem(listen).ifPresent(problem -> r.problem(top.get("listen"), "listen", EffectivePolicyYaml.listen(listen),
                    "a loopback address, or: " + problem));
            if (!r.problems().isEmpty()) {
                List<ConfigProblem> inFileOrder = new ArrayList<>(r.problems());
                inFileOrder.sort(java.util.Comparator.comparingInt(ConfigProblem::line));
                throw new ConfigException(inFileOrder);
            }
            return new PolicyFile(source, listen, access, policy.build(), dns, limits, audit, admin);
        }

        private List<ProxyUser> users(Node n) {
            Map<String, Node> a = r.mapping(n, "auth", AUTH);
            List<ProxyUser> out = new ArrayList<>();
            if (!a.containsKey("users")) {
                r.problem(n, "auth.users", null, "users with name and passwordHash, passwordFile or passwordEnv");
                return out;
            }
            List<Node> items = r.sequence(a.get("users"), "auth.users", "users with name and passwordHash, passwordFile or passwordEnv");
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                String path = "auth.users[" + i + "]";
                Map<String, Node> u = r.mapping(items.get(i), path, USER);
                Optional<String> name = u.containsKey("name") ? r.string(u.get("name"), path + ".name", "a user name") : Optional.empty();
                if (!u.containsKey("name")) {
                    r.problem(items.get(i), path + ".name", null, "a user name");
                } else if (name.isPresent() && (name.get().isBlank() || name.get().indexOf(':') >= 0 || !name.get().equals(name.get().strip()))) {
                    r.problem(u.get("name"), path + ".name", name.get(), "a name without ':' or surrounding spaces (Basic credentials are name:password)");
                    name = Optional.empty();
                } else if (name.isPresent() && !names.add(name.get())) {
                    r.problem(u.get("name"), path + ".name", name.get(), "each user once");
                    name = Optional.empty();
                }
                List<String> given = new ArrayList<>();
                for (String k : List.of("passwordHash", "passwordFile", "passwordEnv")) {
                    if (u.containsKey(k)) {
                        given.add(k);
                    }
                }
                if (given.size() != 1) {
                    r.problem(items.get(i), path, given.isEmpty() ? null : String.join(", ", given),
                            "exactly one of passwordHash, passwordFile or passwordEnv");
                    continue;
                }
                String key = given.get(0);
                Node v = u.get(key);
                Optional<String> text = r.string(v, path + "." + key, key.equals("passwordHash") ? PasswordHash.expectedForm()
                        : key.equals("passwordFile") ? "a file holding the password" : "an environment variable holding the password");
                if (text.isEmpty() || name.isEmpty()) {
                    continue;
                }
                Optional<PasswordHash> hash = secret(v, path + "." + key, key, text.get().strip());
                String user = name.get();
                hash.ifPresent(h -> out.add(new ProxyUser(user, h, key + (key.equals("passwordHash") ? "" : " " + text.get().strip()))));
            }
            return out;
        }

        private Optional<PasswordHash> secret(Node at, String path, String key, String text) {
            switch (key) {
                case "passwordHash": {
                    Optional<PasswordHash> h = PasswordHash.tryParse(text);
                    if (h.isEmpty()) {
                        r.problem(at, path, "(redacted)", PasswordHash.expectedForm());
                    }
                    return h;
                }
                case "passwordFile": {
                    try {
                        String secret = PasswordHash.secretFromFile(BoundedReads.readFile(Path.of(text), PasswordHash.MAX_FILE_BYTES));
                        if (secret.isEmpty()) {
                            r.problem(at, path, text, "a file holding a non-empty password");
                            return Optional.empty();
                        }
                        return Optional.of(PasswordHash.tryParse(secret).orElseGet(() -> PasswordHash.of(secret.toCharArray())));
                    } catch (BoundedReads.TooLargeException e) {
                        r.problem(at, path, text, "a file of at most " + PasswordHash.MAX_FILE_BYTES + " bytes holding the password");
                        return Optional.empty();
                    } catch (IOException | RuntimeException e) {
                        r.problem(at, path, text, "a readable file holding the password (" + e.getClass().getSimpleName() + ")");
                        return Optional.empty();
                    }
                }
                default: {
                    String secret = System.getenv(text);
                    if (secret == null || secret.isEmpty()) {
                        r.problem(at, path, text, "an environment variable that is set and holds the password");
                        return Optional.empty();
                    }
                    return Optional.of(PasswordHash.tryParse(secret).orElseGet(() -> PasswordHash.of(secret.toCharArray())));
                }
            }
        }

        private AdminSettings admin(Node n) {
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
            Optional<HostPort> hp = parseListen(text.get());
            if (hp.isEmpty()) {
                r.problem(a.get("listen"), "admin.listen", text.get(), expected);
                return AdminSettings.unset();
            }
            return AdminSettings.at(hp.get());
        }

        private HostPort listen(Node n) {
            String expected = "IP:port such as 127.0.0.1:3128 or [::1]:3128 (port 0 picks a free port)";
            Optional<String> text = r.string(n, "listen", expected);
            Optional<HostPort> parsed = text.flatMap(PolicyFileLoader::parseListen);
            if (text.isPresent() && parsed.isEmpty()) {
                r.problem(n, "listen", text.get(), expected);
            }
            return parsed.orElse(DEFAULT_LISTEN);
        }

        private List<IpRange> cidrs(Node n, String path) {
            List<IpRange> out = new ArrayList<>();
            List<Node> items = r.sequence(n, path, "CIDR blocks such as 10.0.0.0/8");
            for (int i = 0; i < items.size(); i++) {
                cidr(items.get(i), path + "[" + i + "]").ifPresent(out::add);
            }
            return out;
        }

        private Optional<IpRange> cidr(Node n, String path) {
            Optional<String> text = r.string(n, path, "a CIDR block such as 10.0.0.0/8 or fd00::/8");
            if (text.isEmpty()) {
                return Optional.empty();
            }
            Optional<String> problem = IpRange.problem(text.get().strip());
            if (problem.isPresent()) {
                r.problem(n, path, text.get(), problem.get());
                return Optional.empty();
            }
            return IpRange.tryParse(text.get().strip());
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
            if (!(n instanceof org.yaml.snakeyaml.nodes.MappingNode)) {
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
                return cidr(m.get("cidr"), path + ".cidr").map(c -> AllowRule.cidr(c, p, why));
            }
            if (hasHost && !hasCidr && reason != null) {
                PortSet p = ports;
                String why = reason;
                return hostPattern(m.get("host"), path + ".host").map(h -> AllowRule.host(h, p, why));
            }
            if (hasCidr) {
                cidr(m.get("cidr"), path + ".cidr");
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
            if (ok && ranges.isEmpty() && n instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
                r.problem(n, path, "[]", "at least one port; an empty list would deny every destination (omit the key for any port)");
                return Optional.empty();
            }
            return ok && !ranges.isEmpty() ? Optional.of(PortSet.of(ranges)) : Optional.empty();
        }

        private DnsSettings dns(Node n) {
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

        private Limits limits(Node n) {
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
                    durationOr(m, "drainTimeout", d.drainTimeout()));
        }

        private Duration durationOr(Map<String, Node> m, String key, Duration fallback) {
            return m.containsKey(key) ? r.duration(m.get(key), "limits." + key).orElse(fallback) : fallback;
        }

        private int intOr(Map<String, Node> m, String key, int min, int max, int fallback) {
            return m.containsKey(key) ? r.integer(m.get(key), "limits." + key, min, max).orElse(fallback) : fallback;
        }
    }

    /** {@code IP:port} or {@code [IPv6]:port}, the IP a literal, port 0..65535 (0: any free port). */
    public static Optional<HostPort> parseListen(String text) {
        String s = text.strip();
        int split = s.startsWith("[") ? s.indexOf("]:") + 1 : s.lastIndexOf(':');
        if (split <= 0 || (!s.startsWith("[") && s.indexOf(':') != split)) {
            return Optional.empty();
        }
        String host = s.startsWith("[") ? s.substring(1, split - 1) : s.substring(0, split);
        String portText = s.substring(split + 1);
        Optional<IpAddress> ip = IpLiterals.tryParse(host);
        int port = portText.equals("0") ? 0 : HostPort.parsePort(portText);
        if (ip.isEmpty() || ip.get().zone().isPresent() || port < 0) {
            return Optional.empty();
        }
        return Optional.of(HostPort.of(ip.get().toString(), port));
    }

    /** A DNS server: an IP literal with an optional port (53). */
    static Optional<HostPort> parseDnsServer(String text) {
        String s = text.strip();
        Optional<IpAddress> bare = IpLiterals.tryParse(s);
        if (bare.isPresent()) {
            return bare.get().zone().isPresent() ? Optional.empty() : Optional.of(HostPort.of(bare.get().toString(), 53));
        }
        return parseListen(s).filter(hp -> hp.port() > 0);
    }
}
