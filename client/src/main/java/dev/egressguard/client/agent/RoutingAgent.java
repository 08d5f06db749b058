package dev.egressguard.client.agent;

import dev.egressguard.client.routing.JvmTrust;
import dev.egressguard.client.routing.ProxyRouting;
import dev.egressguard.client.routing.ProxyRoutingException;
import dev.egressguard.client.routing.RoutingConfig;
import dev.egressguard.client.routing.RoutingSettings;
import dev.egressguard.client.routing.RuntimeConfigFile;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code -javaagent:egressguard-agent.jar[=config=FILE]}: activates proxy routing before
 * {@code main}, from the settings a parent {@code egressguard run} handed down or else the runtime
 * config ({@code FILE}, {@code $OPENCLAW_STATE_DIR/config.yaml}, {@code ~/.openclaw/config.yaml}).
 * Enabled but misconfigured routing stops the JVM before {@code main}, with the spec's message and
 * exit status {@value #EXIT_ROUTING_INVALID}: the program never runs unprotected. With a CA to trust
 * ({@code EGRESSGUARD_CA_FILE} from {@code run --ca}, else {@code proxy.caFile}) it installs a trust
 * store of the JDK's roots plus that CA ({@link JvmTrust}); an unreadable CA stops the JVM too.
 */
public final class RoutingAgent {
    static final int EXIT_ROUTING_INVALID = 78; // EX_CONFIG

    private RoutingAgent() {}

    public static void premain(String args, Instrumentation instrumentation) {
        start(args);
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        start(args);
    }

    private static void start(String args) {
        try {
            Map<String, String> env = System.getenv();
            Optional<RoutingSettings> inherited = RoutingConfig.inherited(env);
            RoutingSettings settings = inherited.isPresent() ? inherited.get() : RoutingConfig.resolve(configFile(args));
            if (settings.enabled()) {
                ProxyRouting.activateForProcess(settings); // for the JVM's whole life, shutdown hooks included
                // docs/tls.md: the proxy's interception CA, trusted besides the JDK's roots (run's hand-down, else proxy.caFile)
                Optional<Path> ca = inherited.isPresent() ? Optional.ofNullable(env.get(JvmTrust.ENV_CA_FILE)).filter(f -> !f.isBlank()).map(Path::of)
                        : RoutingConfig.caFile(configFile(args), env, RuntimeConfigFile.home(env));
                ca.ifPresent(JvmTrust::install);
                if (Boolean.getBoolean("egressguard.agent.verbose")) {
                    System.err.println("egressguard agent: " + settings);
                }
            }
        } catch (ProxyRoutingException | IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_ROUTING_INVALID);
        }
    }

    /** {@code config=FILE} among comma-separated agent options. */
    static Optional<Path> configFile(String args) {
        if (args == null || args.isBlank()) {
            return Optional.empty();
        }
        Optional<Path> config = Optional.empty();
        for (String part : args.split(",")) {
            String p = part.strip();
            if (!p.startsWith("config=") || p.length() == 7) {
                throw new IllegalArgumentException("egressguard agent: option \"" + p + "\" (expected: config=FILE)");
            }
            config = Optional.of(Path.of(p.substring(7)));
        }
        return config;
    }
}
