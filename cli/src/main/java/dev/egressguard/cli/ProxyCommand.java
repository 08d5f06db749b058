package dev.egressguard.cli;

import dev.egressguard.config.AdminSettings;
import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.core.classify.SpecialUseRanges;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.server.DialGuard;
import dev.egressguard.server.PolicyWatcher;
import dev.egressguard.server.ProxyServer;
import dev.egressguard.server.audit.LogbackAuditSink;
import dev.egressguard.server.tls.TlsSetupException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code egressguard proxy}: run the filtering forward proxy until stopped. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"Run the filtering forward proxy (HTTP forwarding, CONNECT tunnels, WebSocket).",
                "With no --policy it runs the embedded default policy on 127.0.0.1:3128, admin on 127.0.0.1:9090.",
                "A --policy file is reloaded when it changes and on SIGHUP (an invalid file keeps the old policy);",
                "SIGTERM drains (limits.drainTimeout) and exits.",
                "Audit events are JSON lines on standard output (or the policy's audit.file); diagnostics go to standard error."})
final class ProxyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOption policyOption;

    @Option(names = "--listen", paramLabel = "<host:port>", description = "Override the policy's listen address (IP:port; port 0 picks a free port).")
    String listen;

    @Option(names = "--admin-listen", paramLabel = "<host:port|off>",
            description = "Admin listener (/metrics, /healthz, /readyz, /policy, status page). Default: the policy's admin.listen, else 127.0.0.1:9090.")
    String adminListen;

    @Option(names = "--socks-listen", paramLabel = "<host:port|off>",
            description = "A SOCKS5 listener (RFC 1928 CONNECT; socks5h: the proxy resolves names) under the same policy. Default: the policy's socks.listen, else none.")
    String socksListen;

    @Override
    public Integer call() throws InterruptedException {
        PolicyFile file = policyOption.load();
        if (listen != null) {
            file = file.withListen(PolicyFileLoader.parseListen(listen).orElseThrow(() -> new CommandLine.ParameterException(
                    spec.commandLine(), "--listen: \"" + listen + "\" (expected: IP:port such as 127.0.0.1:3128)")));
        }
        file = file.withAdmin(admin(file));
        if (socksListen != null) {
            file = file.withSocksListen(socksListen.strip().equals("off") ? Optional.empty()
                    : Optional.of(PolicyFileLoader.parseListen(socksListen).orElseThrow(() -> new CommandLine.ParameterException(
                            spec.commandLine(), "--socks-listen: \"" + socksListen + "\" (expected: IP:port such as 127.0.0.1:1080, or off)"))));
        }
        file.socksListen().flatMap(file.access()::exposureProblem).ifPresent(p -> {
            throw new InputException("proxy: refusing to start a SOCKS5 listener: " + p);
        });
        file.access().exposureProblem(file.listen()).ifPresent(p -> {
            throw new InputException("proxy: refusing to start: " + p);
        });
        ProxyServer server;
        LogbackAuditSink audit = LogbackAuditSink.create(file.audit().fileIfSet().orElse(null));
        try {
            server = ProxyServer.start(file, audit, DialGuard.NONE);
        } catch (TlsSetupException e) {
            audit.close();
            throw new InputException("proxy: refusing to start: " + e.getMessage());
        } catch (Exception e) { // bind failures arrive as (unchecked-thrown) IOExceptions
            audit.close();
            throw new InputException("proxy: cannot listen on " + file.listen()
                    + file.admin().listen().map(a -> " (admin " + a + ")").orElse("") + ": " + e.getMessage()
                    + file.socksListen().map(a -> " (socks " + a + ")").orElse("")
                    + "; choose other addresses with --listen / --admin-listen / --socks-listen (--admin-listen off disables the admin listener)");
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(banner(file, server));
        err.flush();
        PolicyWatcher watcher = policyOption.file == null ? null : new PolicyWatcher(policyOption.file, server, Duration.ofSeconds(2));
        if (watcher != null) {
            handle("HUP", () -> watcher.reloadNow());
        }
        Duration drain = file.limits().drainTimeout();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (watcher != null) {
                watcher.close();
            }
            server.shutdown(drain); // SIGTERM / SIGINT: finish what is in flight, up to drainTimeout
            audit.close();
        }, "egressguard-shutdown"));
        server.awaitClose();
        return ExitCodes.OK;
    }

    private AdminSettings admin(PolicyFile file) {
        if (adminListen == null) {
            return file.admin().effective(AdminSettings.DEFAULT_LISTEN).map(AdminSettings::at).orElse(AdminSettings.disabled());
        }
        if (adminListen.strip().equals("off")) {
            return AdminSettings.disabled();
        }
        return AdminSettings.at(PolicyFileLoader.parseListen(adminListen).orElseThrow(() -> new CommandLine.ParameterException(
                spec.commandLine(), "--admin-listen: \"" + adminListen + "\" (expected: IP:port such as 127.0.0.1:9090, or off)")));
    }

    private static void handle(String signal, Runnable action) {
        try {
            Signal.handle(new Signal(signal), s -> action.run());
        } catch (IllegalArgumentException unsupported) {
            // not on this platform: the file watcher still reloads on change
        }
    }

    static String banner(PolicyFile file, ProxyServer server) {
        var a = server.address();
        String host = a.getAddress().getHostAddress();
        String admin = server.adminAddress().map(x -> Hostnames.bracketIpv6(x.getAddress().getHostAddress()) + ":" + x.getPort())
                .orElse("off");
        return String.format("egressguard %s listening on %s:%d; policy: %s; mode: %s; embeddedIpv4: %s; "
                        + "deny ranges: %d built in + %d; denied names: %d; allow rules: %d; clients: %s%s; audit: %s; admin: %s%s",
                VersionProvider.version(), Hostnames.bracketIpv6(host), a.getPort(), file.source(),
                file.policy().mode().code(), file.policy().embeddedIpv4().code(), SpecialUseRanges.all().size(),
                file.policy().deniedRanges().size(), file.policy().deniedHostnames().size(),
                file.policy().allowRules().size(), file.clientsAllow(), file.access().requiresAuth()
                        ? " with " + file.access().users().size() + " auth user(s)" : "",
                file.audit().fileIfSet().map(Object::toString).orElse("stdout"), admin,
                server.socksAddress().map(x -> "; socks5: " + Hostnames.bracketIpv6(x.getAddress().getHostAddress()) + ":" + x.getPort()).orElse(""));
    }
}
