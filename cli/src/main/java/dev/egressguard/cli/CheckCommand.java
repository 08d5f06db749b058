package dev.egressguard.cli;

import dev.egressguard.config.DnsSettings;
import dev.egressguard.config.PolicyFile;
import dev.egressguard.core.classify.EmbeddedIpv4Mode;
import dev.egressguard.core.io.BoundedReads;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.Resolver;
import dev.egressguard.core.policy.Identities;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Policy;
import dev.egressguard.core.tls.TunnelMode;
import dev.egressguard.server.BlockingResolver;
import dev.egressguard.server.audit.JsonGenerators;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code egressguard check TARGET...}: why is a destination allowed or denied? */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Explain the policy's decision for each target: verdict, reason code, rule, and the addresses checked.",
                "TARGET is an IP literal, a hostname, host:port, or an http/https/ws/wss URL; '-' reads one target per line from stdin.",
                "Names resolve exactly as the policy's proxy resolves them: dns.servers (or /etc/resolv.conf), /etc/hosts,"
                        + " no search domains, dns.timeout.",
                "Exit status: 0 all allowed, 1 any denied, 2 usage or input error."})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOption policyOption;

    /** Largest standard input read for {@code -}. */
    static final int MAX_STDIN_BYTES = 8 << 20;

    @Parameters(paramLabel = "<target>", arity = "1..*", description = "Targets to check; '-' for stdin (one per line, at most 8 MiB).")
    List<String> targets;

    @Option(names = "--no-resolve", description = "Do not resolve hostnames; a name that passes the host rules shows verdict allow, reason host.not_resolved.")
    boolean noResolve;

    @Option(names = "--embedded-ipv4", paramLabel = "<mode>", description = "Override the policy's embeddedIpv4: decode or block-prefix.")
    String embeddedIpv4;

    @Option(names = "--resolve", paramLabel = "<name=addr[,addr]>", description = "Use these addresses for a name instead of DNS (what-if; repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--identity", paramLabel = "<name>",
            description = "Whose destination rules apply: an identity of the policy, or default (the default)."
                    + " A destination the identity's rules ask about shows verdict ask.")
    String identity = Identities.DEFAULT;

    @Option(names = "--json", description = "One JSON object per target: input, verdict, reason, rule, addresses (and host, port, description).")
    boolean json;

    @Option(names = "--method", paramLabel = "<method>", description = "For a host the policy intercepts (docs/tls.md): the request's method. Default: GET.")
    String method = "GET";

    @Option(names = "--path", paramLabel = "<path>",
            description = "For a host the policy intercepts: the request's path (and query). Default: a URL target's own, else /.")
    String path;

    @Override
    public Integer call() throws IOException {
        PolicyFile file = policyOption.load();
        Policy policy = file.policy();
        if (embeddedIpv4 != null) {
            EmbeddedIpv4Mode mode = EmbeddedIpv4Mode.fromCode(embeddedIpv4).orElseThrow(() -> new CommandLine.ParameterException(
                    spec.commandLine(), "--embedded-ipv4: \"" + embeddedIpv4 + "\" (expected: decode or block-prefix)"));
            policy = policy.toBuilder().embeddedIpv4(mode).build();
        }
        if (!identity.equals(Identities.DEFAULT) && file.destinations().identities().named(identity).isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--identity: \"" + identity + "\" (expected: one of "
                    + file.destinations().identities().all().stream().map(i -> i.name()).collect(Collectors.joining(", ", "", ", "))
                    + "default)");
        }
        Map<String, List<IpAddress>> fixed = parseOverrides();
        List<String> all = expand(targets);
        if (all.isEmpty()) {
            throw new InputException("check: no targets (standard input held none)");
        }
        try (ProxyDns dns = new ProxyDns(file.dns())) {
            Optional<Resolver> resolver = noResolve && fixed.isEmpty() ? Optional.empty() : Optional.of(name -> {
                List<IpAddress> answer = fixed.get(name);
                if (answer != null) {
                    return answer;
                }
                if (noResolve) {
                    throw new UnknownHostException(name + " (--no-resolve and no --resolve entry)");
                }
                return dns.resolve(name);
            });
            TargetCheck checker = new TargetCheck(policy, file.destinations(), identity, resolver, file.tls().tunnels(), method, path);
            PrintWriter out = spec.commandLine().getOut();
            int exit = ExitCodes.OK;
            for (String target : all) {
                if (target.isBlank()) {
                    throw new InputException("check: empty target");
                }
                TargetCheck.Result r = checker.check(target);
                out.println(json ? toJson(r) : toText(r));
                if (!r.passes()) {
                    exit = ExitCodes.FINDINGS;
                }
            }
            out.flush();
            return exit;
        }
    }

    /** The targets, with each {@code -} replaced by the lines of standard input (blank lines and {@code #} comments left out). */
    private static List<String> expand(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (!a.equals("-")) {
                out.add(a);
                continue;
            }
            byte[] stdin;
            try {
                stdin = BoundedReads.read(System.in, MAX_STDIN_BYTES, "standard input");
            } catch (IOException e) {
                throw new InputException("check: cannot read targets from standard input: " + e.getMessage());
            }
            new String(stdin, StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(out::add);
        }
        return out;
    }

    /**
     * The proxy's own resolver for the policy's {@code dns} settings, started on first use: a
     * name resolves here exactly as that policy's proxy would resolve it.
     */
    private static final class ProxyDns implements Resolver, AutoCloseable {
        private final DnsSettings settings;
        private BlockingResolver resolver;

        ProxyDns(DnsSettings settings) {
            this.settings = settings;
        }

        @Override
        public List<IpAddress> resolve(String hostname) throws UnknownHostException {
            if (resolver == null) {
                try {
                    resolver = BlockingResolver.start(settings);
                } catch (IllegalStateException e) {
                    throw new InputException("check: " + e.getMessage()); // no name server to ask: the proxy would not start
                }
            }
            return resolver.resolve(hostname);
        }

        @Override
        public void close() {
            if (resolver != null) {
                resolver.close();
            }
        }
    }

    private Map<String, List<IpAddress>> parseOverrides() {
        Map<String, List<IpAddress>> out = new HashMap<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            String name = eq < 0 ? "" : Hostnames.normalize(o.substring(0, eq));
            List<IpAddress> addresses = new ArrayList<>();
            if (eq > 0) {
                for (String a : o.substring(eq + 1).split(",")) {
                    IpLiterals.tryParseHost(a).ifPresent(addresses::add);
                }
            }
            if (name.isEmpty() || addresses.isEmpty() || addresses.size() != o.substring(eq + 1).split(",").length) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--resolve: \"" + o + "\" (expected: name=address[,address] with IP literals)");
            }
            out.put(name, addresses);
        }
        return out;
    }

    static String toText(TargetCheck.Result r) {
        String rule = r.decision().rule().orElse("-");
        String addresses = r.addresses().isEmpty() ? "-" : r.addresses().stream().map(IpAddress::toString).collect(Collectors.joining(","));
        String destination = r.host() == null ? "-" : Hostnames.bracketIpv6(r.host()) + (r.port() > 0 ? ":" + r.port() : "");
        String line = String.format("%s  %s  %s  rule=%s  destination=%s  addresses=%s  (%s)", r.input(), r.verdictCode(),
                r.decision().reason().code(), rule, destination, addresses, r.decision().reason().description());
        String asks = r.asking() == null ? "" : "  asks=" + r.asking().rule().orElse("-") + " (the approver decides; then the above)";
        return line + asks + r.decision().message().map(m -> "  message=" + m).orElse("") + tlsText(r);
    }

    /** What TLS interception does with the tunnel, when the policy configures it (docs/tls.md). */
    private static String tlsText(TargetCheck.Result r) {
        if (r.inside() != null) {
            TargetCheck.Inside i = r.inside();
            Decision d = i.verdict().decision();
            return String.format("%n  intercepted by %s: %s %s  %s  %s  rule=%s%s%s", i.entry(), i.method(), i.verdict().path() == null ? i.path()
                    : i.verdict().path(), i.verdictCode(), d.reason().code(), i.verdict().asking() != null ? i.verdict().asking().id()
                    : d.rule().orElse("-"), i.verdict().asking() != null ? " (the approver decides; then the credential is added)" : "",
                    d.message().map(m -> "  message=" + m).orElse(""));
        }
        if (r.tunnel() instanceof TunnelMode.Passthrough) {
            String rule = ((TunnelMode.Passthrough) r.tunnel()).rule();
            return "\n  tls: not intercepted" + (rule == null ? "" : " (" + rule + ")") + "; relayed after the SNI check";
        }
        return "";
    }

    static String toJson(TargetCheck.Result r) {
        return JsonGenerators.write(g -> {
            g.writeStartObject();
            g.writeStringField("input", r.input());
            g.writeStringField("verdict", r.verdictCode());
            g.writeStringField("reason", r.decision().reason().code());
            g.writeStringField("rule", r.decision().rule().orElse(null));
            g.writeArrayFieldStart("addresses");
            for (IpAddress a : r.addresses()) {
                g.writeString(a.toString());
            }
            g.writeEndArray();
            g.writeStringField("host", r.host());
            if (r.port() > 0) {
                g.writeNumberField("port", r.port());
            } else {
                g.writeNullField("port");
            }
            g.writeStringField("description", r.decision().reason().description());
            if (r.asking() != null) {
                g.writeStringField("asks", r.asking().rule().orElse(null));
            }
            if (r.decision().message().isPresent()) {
                g.writeStringField("message", r.decision().message().get());
            }
            if (r.inside() != null) {
                TargetCheck.Inside i = r.inside();
                g.writeObjectFieldStart("intercept");
                g.writeStringField("entry", i.entry());
                g.writeStringField("method", i.method());
                g.writeStringField("path", i.verdict().path());
                g.writeStringField("verdict", i.verdictCode());
                g.writeStringField("reason", i.verdict().decision().reason().code());
                g.writeStringField("rule", i.verdict().asking() != null ? i.verdict().asking().id() : i.verdict().decision().rule().orElse(null));
                g.writeStringField("message", i.verdict().decision().message().orElse(null));
                g.writeEndObject();
            } else if (r.tunnel() instanceof TunnelMode.Passthrough) {
                g.writeStringField("tls", "not_intercepted");
            }
            g.writeEndObject();
        });
    }
}
