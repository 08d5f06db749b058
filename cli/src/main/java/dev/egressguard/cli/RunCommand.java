package dev.egressguard.cli;

import dev.egressguard.client.routing.ChildEnvironment;
import dev.egressguard.client.routing.ContainerProxyForwarding;
import dev.egressguard.client.routing.RoutingConfig;
import dev.egressguard.client.routing.RoutingSettings;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code egressguard run [--container NAME] -- CMD ARGS...}: runs a program as a protected runtime
 * process. The routing config is resolved first and fails closed; the child gets the proxy in every
 * variable HTTP stacks read, no bypass lists, and the routing javaagent for child JVMs; its
 * standard streams, signals (TERM, INT, HUP) and exit status pass through.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run CMD with its HTTP and WebSocket egress routed through the configured proxy.",
                "Sets HTTP(S)_PROXY, http(s)_proxy, GLOBAL_AGENT_HTTP(S)_PROXY, WS(S)_PROXY and OPENCLAW_PROXY_URL; removes",
                "no_proxy, NO_PROXY and GLOBAL_AGENT_NO_PROXY; adds the routing javaagent to JAVA_TOOL_OPTIONS.",
                "Refuses to start CMD when routing is enabled but its proxy URL is missing or invalid, and (without",
                "--if-enabled) when routing is not enabled at all. Exit status: CMD's, or 78 when routing refused it."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeConfigOption config;

    @Option(names = "--container", paramLabel = "<name>",
            description = {"Run CMD inside this container (\"$EGRESSGUARD_CONTAINER_RUNTIME exec\", docker by default), passing the proxy",
                    "variables in by name. A loopback proxy URL is refused (127.0.0.1 in a container is the container)",
                    "unless OPENCLAW_CONTAINER_ALLOW_LOOPBACK_PROXY_URL=1."})
    String container;

    @Option(names = "--agent", paramLabel = "<jar>", description = "The routing javaagent. Default: egressguard-agent.jar beside egressguard.jar.")
    Path agent;

    @Option(names = "--no-java-agent", description = "Do not add the javaagent to JAVA_TOOL_OPTIONS (child JVMs then route only if they read the proxy variables).")
    boolean noJavaAgent;

    @Option(names = "--if-enabled", description = "When proxy.enabled is not true, run CMD without routing instead of refusing.")
    boolean ifEnabled;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        RoutingSettings settings = RoutingConfig.resolve(config.explicit());
        if (!settings.enabled() && !ifEnabled) {
            throw new RoutingRefusedException("egressguard run: proxy routing is not enabled (set proxy.enabled true in " + config.location()
                    + ", or pass --if-enabled to run unrouted when it is off); " + command.get(0) + " was not started");
        }
        ProcessBuilder pb = new ProcessBuilder();
        Map<String, String> childEnv = pb.environment();
        ChildEnvironment.apply(childEnv, settings, settings.enabled() && !noJavaAgent ? Optional.of(agentJar()) : Optional.empty());
        List<String> argv = new ArrayList<>();
        if (container != null) {
            Optional<String> forwarded = ContainerProxyForwarding.forwardedValue(childEnv);
            argv.add(env.getOrDefault("EGRESSGUARD_CONTAINER_RUNTIME", "docker"));
            argv.add("exec");
            argv.add("-i");
            if (System.console() != null) {
                argv.add("-t");
            }
            if (forwarded.isPresent()) {
                for (String v : ChildEnvironment.PROXY_VARIABLES) {
                    argv.add("-e");
                    argv.add(v); // by name: the value comes from this environment, never from the command line
                }
                for (String v : ChildEnvironment.BYPASS_VARIABLES) {
                    argv.add("-e");
                    argv.add(v + "="); // empties a bypass list the image's own environment may set
                }
            }
            argv.add(container);
        }
        argv.addAll(command);
        pb.command(argv).inheritIO();
        ChildSignals signals = ChildSignals.install();
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            throw new InputException("egressguard run: cannot start " + argv.get(0) + ": " + e.getMessage());
        }
        signals.forwardTo(child);
        return child.waitFor();
    }

    private Path agentJar() {
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
        return jar.toAbsolutePath();
    }
}
