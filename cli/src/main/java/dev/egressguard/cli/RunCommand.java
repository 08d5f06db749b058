package dev.egressguard.cli;

import dev.egressguard.cli.isolate.Bubblewrap;
import dev.egressguard.cli.isolate.IsolatedRun;
import dev.egressguard.cli.isolate.IsolationUnavailableException;
import dev.egressguard.client.routing.CaBundles;
import dev.egressguard.client.routing.ChildEnvironment;
import dev.egressguard.client.routing.ContainerProxyForwarding;
import dev.egressguard.client.routing.ProxyRoutingException;
import dev.egressguard.client.routing.ProxyUrl;
import dev.egressguard.client.routing.RoutingConfig;
import dev.egressguard.client.routing.RoutingSettings;
import dev.egressguard.client.routing.RuntimeConfigFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code egressguard run [--container NAME | --isolate] -- CMD ARGS...}: runs a program as a
 * protected runtime process. The routing config is resolved first and fails closed; the child gets
 * the proxy in every variable HTTP stacks read, no bypass lists, and the routing javaagent for
 * child JVMs; its standard streams, signals (TERM, INT, HUP) and exit status pass through. With
 * {@code --isolate} the child runs in a network namespace whose only way out is the proxy.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run CMD with its HTTP and WebSocket egress routed through the configured proxy.",
                "Sets HTTP(S)_PROXY, http(s)_proxy, GLOBAL_AGENT_HTTP(S)_PROXY, WS(S)_PROXY,",
                "OPENCLAW_PROXY_URL, NODE_USE_ENV_PROXY=1, EGRESSGUARD_PROXY_ENABLED=true and,",
                "with a SOCKS proxy, ALL_PROXY; removes no_proxy, NO_PROXY and",
                "GLOBAL_AGENT_NO_PROXY; adds the routing javaagent to JAVA_TOOL_OPTIONS;",
                "with --ca (or proxy.caFile), makes CMD trust the proxy's TLS interception CA.",
                "--isolate (Linux) takes every other way out away.",
                "Refuses to start CMD when routing is enabled but broken, when it is not",
                "enabled (unless --if-enabled), and when --isolate cannot isolate.",
                "Exit status: CMD's, or 78 when CMD was refused."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeConfigOption config;

    @ArgGroup(exclusive = true)
    Placement placement;

    @Mixin
    ChildOptions child;

    @Option(names = "--if-enabled", description = "When proxy.enabled is not true, run CMD without routing instead of refusing (not with --isolate).")
    boolean ifEnabled;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    /** Where CMD runs: here (default), in a container, or in a network namespace of its own. */
    static final class Placement {
        @Option(names = "--container", paramLabel = "<name>",
                description = {"Run CMD inside this container (\"$EGRESSGUARD_CONTAINER_RUNTIME exec\", docker by default), passing the proxy",
                        "variables in by name. A loopback proxy URL is refused (127.0.0.1 in a container is the container)",
                        "unless OPENCLAW_CONTAINER_ALLOW_LOOPBACK_PROXY_URL=1."})
        String container;

        @Option(names = "--isolate",
                description = "Linux: run CMD in a network namespace (bubblewrap) whose only interface is its own loopback. The proxy"
                        + " variables point at forwarders on 127.0.0.1:" + IsolatedRun.HTTP_PORT + " (and :" + IsolatedRun.SOCKS_PORT
                        + " for SOCKS) there, which relay to the proxy; raw sockets, UDP and DNS fail. Exit 78, CMD not started, where"
                        + " namespaces cannot be made.")
        boolean isolate;
    }

    /** What the child gets besides the proxy variables. */
    static final class ChildOptions {
        @Option(names = "--agent", paramLabel = "<jar>", description = "The routing javaagent. Default: egressguard-agent.jar beside egressguard.jar.")
        Path agent;

        @Option(names = "--no-java-agent", description = "Do not add the javaagent to JAVA_TOOL_OPTIONS (child JVMs then route only if they read the proxy variables).")
        boolean noJavaAgent;

        @Option(names = "--ca", paramLabel = "<file>",
                description = {"The proxy's TLS interception CA (PEM; egressguard ca show, or the admin listener's /ca.pem). Default: proxy.caFile.",
                        "CMD trusts it besides the system roots: SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, GIT_SSL_CAINFO, PIP_CERT,",
                        "npm_config_cafile (roots + CA), NODE_EXTRA_CA_CERTS (the CA), child JVMs through the agent (docs/tls.md)."})
        Path ca;

        @Option(names = "--socks", paramLabel = "<url>|off",
                description = "The proxy's SOCKS5 listener (socks5h://HOST:PORT), for CMD in ALL_PROXY and all_proxy."
                        + " Default: proxy.socksUrl from the runtime config; off: none for this run.")
        String socks;

        Optional<ProxyUrl> socksProxy(RuntimeConfigOption config) {
            if ("off".equals(socks)) {
                return Optional.empty();
            }
            if (socks != null) {
                return Optional.of(RoutingConfig.parseSocksProxy(socks, "--socks"));
            }
            Map<String, String> env = System.getenv();
            return RoutingConfig.socksProxy(config.explicit(), env, RuntimeConfigFile.home(env));
        }

        /** The CA to trust: {@code --ca}, else {@code proxy.caFile}; its certificates read and checked now. */
        Optional<List<X509Certificate>> caCertificates(RuntimeConfigOption config) {
            if (ca != null) {
                try {
                    return Optional.of(CaBundles.read(ca));
                } catch (ProxyRoutingException e) {
                    throw new InputException("egressguard run: --ca: " + e.getMessage().substring("proxy: ".length()));
                }
            }
            Map<String, String> env = System.getenv();
            return RoutingConfig.caFile(config.explicit(), env, RuntimeConfigFile.home(env)).map(CaBundles::read);
        }

        Optional<Path> agentJar() {
            if (noJavaAgent) {
                return Optional.empty();
            }
            Path jar = agent;
            if (jar == null) {
                try {
                    Path self = Path.of(RunCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                    jar = self.resolveSibling("egressguard-agent.jar");
                } catch (URISyntaxException | SecurityException e) {
                    throw new InputException("egressguard run: cannot locate egressguard-agent.jar; pass --agent JAR");
                }
            }
            if (!Files.isRegularFile(jar)) {
                throw new InputException("egressguard run: the routing javaagent " + jar + " is missing; pass --agent JAR, or --no-java-agent");
            }
            return Optional.of(jar.toAbsolutePath());
        }
    }

    @Override
    public Integer call() throws Exception {
        RoutingSettings settings = RoutingConfig.resolve(config.explicit());
        boolean isolate = placement != null && placement.isolate;
        if (!settings.enabled() && (!ifEnabled || isolate)) {
            throw new RoutingRefusedException("egressguard run: proxy routing is not enabled (set proxy.enabled true in " + config.location()
                    + (isolate ? "; --isolate needs a proxy to send traffic to" : ", or pass --if-enabled to run unrouted when it is off")
                    + "); " + command.get(0) + " was not started");
        }
        ProcessBuilder pb = new ProcessBuilder().inheritIO();
        if (isolate) {
            return runIsolated(pb, settings.proxy());
        }
        boolean inContainer = placement != null && placement.container != null;
        if (inContainer && child.ca != null) {
            throw new InputException("egressguard run: --ca does not reach into a container (its files are on this host); add the CA to the image");
        }
        Optional<Path> trustDir = Optional.empty();
        if (settings.enabled()) {
            ChildEnvironment.apply(pb.environment(), settings.proxy(), child.socksProxy(config), child.agentJar());
            trustDir = inContainer ? Optional.empty() : trustCa(pb.environment());
        }
        pb.command(inContainer ? containerCommand(pb.environment()) : command);
        try {
            ChildSignals signals = ChildSignals.install();
            Process process = start(pb);
            signals.forwardTo(process);
            return process.waitFor();
        } finally {
            trustDir.ifPresent(RunCommand::deleteTree);
        }
    }

    /** The CA's trust files for the child, in a private directory removed when it exits (docs/tls.md). */
    private Optional<Path> trustCa(Map<String, String> childEnv) throws IOException {
        Optional<List<X509Certificate>> ca = child.caCertificates(config);
        if (ca.isEmpty()) {
            return Optional.empty();
        }
        Path dir = Files.createTempDirectory("egressguard-ca-");
        ChildEnvironment.applyCa(childEnv, CaBundles.write(ca.get(), dir, System.getenv()));
        return Optional.of(dir);
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a temporary directory left behind holds only public certificates
        }
    }

    private int runIsolated(ProcessBuilder pb, ProxyUrl proxy) throws Exception {
        Optional<ProxyUrl> socks = child.socksProxy(config);
        Optional<Path> agentJar = child.agentJar();
        try {
            Bubblewrap sandbox = Bubblewrap.locate(System.getenv());
            sandbox.preflight(Path.of("/proc/sys"));
            Optional<Path> trustDir = Optional.empty();
            try (IsolatedRun isolated = IsolatedRun.open(proxy, socks)) {
                ChildEnvironment.apply(pb.environment(), isolated.childProxy(), isolated.childSocks(), agentJar);
                trustDir = trustCa(pb.environment());
                isolated.prepare(pb, sandbox, command);
                ChildSignals signals = ChildSignals.installForDetachedChild();
                Process process = start(pb);
                signals.forwardTo(isolated.awaitLauncher(process));
                return process.waitFor();
            } finally {
                trustDir.ifPresent(RunCommand::deleteTree);
            }
        } catch (IsolationUnavailableException e) {
            throw new RoutingRefusedException(e.getMessage()); // never unisolated: exit 78
        }
    }

    private List<String> containerCommand(Map<String, String> childEnv) {
        Optional<String> forwarded = ContainerProxyForwarding.forwardedValue(childEnv);
        List<String> argv = new ArrayList<>(List.of(System.getenv().getOrDefault("EGRESSGUARD_CONTAINER_RUNTIME", "docker"), "exec", "-i"));
        if (System.console() != null) {
            argv.add("-t");
        }
        if (forwarded.isPresent()) {
            List<String> byName = new ArrayList<>(ChildEnvironment.PROXY_VARIABLES);
            byName.add(ChildEnvironment.ENV_NODE_USE_ENV_PROXY);
            byName.addAll(ChildEnvironment.SOCKS_VARIABLES);
            for (String v : byName) {
                if (childEnv.containsKey(v)) {
                    argv.add("-e");
                    argv.add(v); // by name: the value comes from this environment, never from the command line
                }
            }
            for (String v : ChildEnvironment.BYPASS_VARIABLES) {
                argv.add("-e");
                argv.add(v + "="); // empties a bypass list the image's own environment may set
            }
        }
        argv.add(placement.container);
        argv.addAll(command);
        return argv;
    }

    private static Process start(ProcessBuilder pb) {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new InputException("egressguard run: cannot start " + pb.command().get(0) + ": " + e.getMessage());
        }
    }
}
