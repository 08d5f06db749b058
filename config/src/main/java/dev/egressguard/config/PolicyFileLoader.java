package dev.egressguard.config;

import dev.egressguard.core.io.BoundedReads;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.policy.Identities;
import dev.egressguard.core.policy.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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

    private static final Set<String> TOP = NodeReader.keys("listen", "mode", "embeddedIpv4", "clients", "auth", "deny", "allow",
            "ports", "dns", "limits", "audit", "admin", "socks", "identities", "destinations", "approvals", "tls");
    static final HostPort DEFAULT_LISTEN = HostPort.of("127.0.0.1", 3128);

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
        } catch (RuntimeException e) {
            // the YAML reader's own bugs on broken input (a unicode escape cut short, say): still broken YAML
            throw single(source, "", null, "valid YAML; the YAML reader failed on it (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        return new Parsing(new NodeReader(source), source).read(root);
    }

    private static ConfigException single(String source, String path, String value, String expected) {
        return new ConfigException(List.of(new ConfigProblem(source, 0, path, value, expected)));
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
            RuntimeReader runtime = new RuntimeReader(r);
            AccessReader access = new AccessReader(r);
            Policy.Builder policy = Policy.builder();
            RulesReader rules = new RulesReader(r, policy);
            HostPort listen = top.containsKey("listen") ? runtime.listen(top.get("listen")) : DEFAULT_LISTEN;
            rules.modes(top);
            AccessReader.Clients clients = top.containsKey("clients") ? access.clients(top.get("clients"))
                    : new AccessReader.Clients(AccessReader.DEFAULT_CLIENTS, List.of());
            List<AccessReader.UserEntry> entries = top.containsKey("auth") ? access.users(top.get("auth")) : List.of();
            List<ProxyUser> users = UserSecrets.resolve(entries, r);
            AdminSettings admin = top.containsKey("admin") ? runtime.admin(top.get("admin")) : AdminSettings.unset();
            Optional<HostPort> socks = top.containsKey("socks") ? runtime.socks(top.get("socks")) : Optional.empty();
            rules.rules(top);
            DnsSettings dns = top.containsKey("dns") ? runtime.dns(top.get("dns")) : DnsSettings.defaults();
            Limits limits = top.containsKey("limits") ? runtime.limits(top.get("limits")) : Limits.defaults();
            AuditSettings audit = top.containsKey("audit") ? runtime.audit(top.get("audit")) : AuditSettings.defaults();
            DestinationsReader who = new DestinationsReader(r);
            Identities identities = top.containsKey("identities") ? who.identities(top.get("identities"), access.declaredUsers())
                    : Identities.none();
            Optional<ApprovalSettings> approvals = top.containsKey("approvals") ? who.approvals(top.get("approvals")) : Optional.empty();
            DestinationPolicy destinations = top.containsKey("destinations")
                    ? who.destinations(top.get("destinations"), identities, top.containsKey("approvals"))
                    : DestinationPolicy.of(identities, List.of());
            TlsSettings tls = new TlsReader(r, top.containsKey("approvals")).read(top.get("tls"), top.get("destinations"), destinations);
            AccessSettings accessSettings = new AccessSettings(clients.allow(), clients.trusted(), users);
            accessSettings.exposureProblem(listen).ifPresent(problem -> r.problem(top.get("listen"), "listen",
                    EffectivePolicyYaml.listen(listen), "a loopback address, or: " + problem));
            socks.flatMap(accessSettings::exposureProblem).ifPresent(problem -> r.problem(top.get("socks"), "socks.listen",
                    EffectivePolicyYaml.listen(socks.get()), "a loopback address, or: " + problem));
            if (!r.problems().isEmpty()) {
                List<ConfigProblem> inFileOrder = new ArrayList<>(r.problems());
                inFileOrder.sort(Comparator.comparingInt(ConfigProblem::line));
                throw new ConfigException(inFileOrder);
            }
            return new PolicyFile(source, listen, accessSettings, policy.build(), dns, limits, audit, admin, destinations, approvals, socks, tls);
        }
    }

    /** {@code IP:port} or {@code [IPv6]:port}, the IP a literal, port 0..65535 (0: any free port). */
    public static Optional<HostPort> parseListen(String text) {
        return HostPort.tryParseListen(text.strip()).flatMap(hp -> IpLiterals.tryParse(hp.host())
                .filter(ip -> ip.zone().isEmpty())
                .map(ip -> HostPort.of(ip.toString(), hp.port())));
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
