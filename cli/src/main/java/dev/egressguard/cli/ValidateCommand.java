package dev.egressguard.cli;

import dev.egressguard.cli.validate.ProbeCatalog;
import dev.egressguard.cli.validate.ProxyUnreachableException;
import dev.egressguard.cli.validate.Scope;
import dev.egressguard.cli.validate.ValidationReport;
import dev.egressguard.cli.validate.ValidationRun;
import dev.egressguard.client.routing.ProxyUrl;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.TargetUrl;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code egressguard validate --proxy URL}: prove that a forward proxy blocks the spec's denylist. */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Certify any HTTP forward proxy (egressguard, Squid, tinyproxy, Smokescreen, ...) against the spec's "
                + "Recommended Blocked Destinations: every row, as absolute-form GET and as CONNECT, in the spellings attackers use.",
                "Loopback destinations aim at canary listeners this command opens on random loopback ports: a canary that sees a "
                        + "connection is a LEAK, whatever the proxy answered. Other destinations are judged by the answer: success is a "
                        + "LEAK, a 403 or Proxy-Status denial is BLOCKED, anything else is NOT PROVEN.",
                "validate connects only to the proxy and to its own canaries, and never resolves a probe's name itself.",
                "Exit status: 0 no leak and nothing unproven, 1 any leak or unproven probe, 2 usage error or unreachable proxy."})
final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--proxy", required = true, paramLabel = "<url>", description = "The proxy to validate: http://host:port.")
    String proxy;

    @Option(names = "--scope", paramLabel = "<scope>", defaultValue = "all",
            description = {"loopback: only probes that would land on this machine's loopback (the canaries).",
                    "all (default): every probe. WARNING: against a permissive proxy, 'all' makes the proxy really dial private, "
                            + "link-local and cloud metadata addresses (169.254.169.254, 10.0.0.0, ...) from this host. "
                            + "Use loopback to try a proxy you do not trust yet."})
    String scope;

    @Option(names = "--timeout", paramLabel = "<duration>", defaultValue = "5s", converter = DurationConverter.class,
            description = "Per probe: connecting to the proxy and its answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--dns-rebind", paramLabel = "<name>",
            description = "A DNS name you control that answers (or flips to) a loopback address; sent "
                    + ProbeCatalog.REBIND_ATTEMPTS + " times as GET and as CONNECT, aimed at a canary.")
    String dnsRebind;

    @Option(names = "--public-url", paramLabel = "<url>", defaultValue = "https://example.com/",
            description = "A public URL that should pass (default: ${DEFAULT-VALUE}); skipped, not failed, when it cannot "
                    + "complete for want of a route out; not sent with --scope loopback.")
    String publicUrl;

    @Option(names = "--json", description = "One JSON object: summary counts and every probe.")
    boolean json;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ProxyUrl url = proxyUrl();
        Optional<String> auth = url.hasCredentials() ? Optional.of("Basic " + java.util.Base64.getEncoder().encodeToString(
                (url.username().orElse("") + ":" + url.password().orElse("")).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                : Optional.empty();
        ValidationRun.Settings settings = new ValidationRun.Settings(url.redacted(), proxyAddress(), scope(), timeout,
                rebindName(), Optional.of(publicTarget()), auth);
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = System.console() != null && !json;
        ValidationReport report = ValidationRun.run(settings, terminal ? (done, total) -> {
            synchronized (err) {
                err.print("\rprobing " + done + "/" + total);
                err.flush();
            }
        } : ValidationRun.Progress.NONE);
        if (terminal) {
            err.print("\r" + " ".repeat(40) + "\r");
            err.flush();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.toJson() + "\n" : report.toText());
        out.flush();
        return ExitCodes.forValidation(report);
    }

    private ProxyUrl proxyUrl() {
        return ProxyUrl.tryParse(proxy).filter(ProxyUrl::isUsableForwardProxy).orElseThrow(() -> usage(
                "--proxy: \"" + dev.egressguard.core.net.UrlCredentials.redact(proxy) + "\" (expected: http://host:port, a plain-HTTP forward proxy with its port)"));
    }

    /** The proxy's address: a literal as written, or the one name validate ever resolves, the proxy's own. */
    private InetSocketAddress proxyAddress() {
        ProxyUrl url = proxyUrl();
        Optional<InetAddress> literal = IpLiterals.tryParse(url.host()).map(a -> a.toInetAddress());
        try {
            return new InetSocketAddress(literal.isPresent() ? literal.get() : InetAddress.getByName(url.host()), url.port());
        } catch (UnknownHostException e) {
            throw new ProxyUnreachableException("cannot resolve the proxy's host \"" + url.host() + "\": " + e.getMessage());
        }
    }

    private Scope scope() {
        return Scope.fromCode(scope).orElseThrow(() -> usage("--scope: \"" + scope + "\" (expected: loopback or all)"));
    }

    private Optional<String> rebindName() {
        if (dnsRebind == null) {
            return Optional.empty();
        }
        Optional<String> name = Hostnames.canonicalize(dnsRebind).filter(n -> IpLiterals.tryParse(n).isEmpty() && Hostnames.isValidDnsName(n));
        return Optional.of(name.orElseThrow(() -> usage("--dns-rebind: \"" + dnsRebind + "\" (expected: a DNS name you control)")));
    }

    private TargetUrl publicTarget() {
        return TargetUrl.tryParse(publicUrl).filter(u -> u.scheme().equals("http") || u.scheme().equals("https"))
                .orElseThrow(() -> usage("--public-url: \"" + publicUrl + "\" (expected: an http:// or https:// URL)"));
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
