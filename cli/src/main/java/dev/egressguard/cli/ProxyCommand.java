package dev.egressguard.cli;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.core.classify.SpecialUseRanges;
import dev.egressguard.server.DialGuard;
import dev.egressguard.server.ProxyServer;
import dev.egressguard.server.audit.LogbackAuditSink;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code egressguard proxy}: run the filtering forward proxy until stopped. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"Run the filtering forward proxy (HTTP forwarding, CONNECT tunnels, WebSocket).",
                "With no --policy it runs the embedded default policy on 127.0.0.1:3128.",
                "Audit events are JSON lines on standard output (or the policy's audit.file); diagnostics go to standard error."})
final class ProxyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOption policyOption;

    @Option(names = "--listen", paramLabel = "<host:port>", description = "Override the policy's listen address (IP:port; port 0 picks a free port).")
    String listen;

    @Override
    public Integer call() throws InterruptedException {
        PolicyFile file = policyOption.load();
        if (listen != null) {
            var address = PolicyFileLoader.parseListen(listen).orElseThrow(() -> new CommandLine.ParameterException(
                    spec.commandLine(), "--listen: \"" + listen + "\" (expected: IP:port such as 127.0.0.1:3128)"));
            file = new PolicyFile(file.source(), address, file.clientsAllow(), file.policy(), file.dns(), file.limits(), file.audit());
        }
        ProxyServer server;
        LogbackAuditSink audit = LogbackAuditSink.create(file.audit().fileIfSet().orElse(null));
        try {
            server = ProxyServer.start(file, audit, DialGuard.NONE);
        } catch (Exception e) { // bind failures arrive as (unchecked-thrown) IOExceptions
            audit.close();
            throw new InputException("proxy: cannot listen on " + file.listen() + ": " + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(banner(file, server));
        err.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            audit.close();
        }, "egressguard-shutdown"));
        server.awaitClose();
        return ExitCodes.OK;
    }

    static String banner(PolicyFile file, ProxyServer server) {
        var a = server.address();
        String host = a.getAddress().getHostAddress();
        return String.format("egressguard %s listening on %s:%d; policy: %s; mode: %s; embeddedIpv4: %s; "
                        + "deny ranges: %d built in + %d; denied names: %d; allow rules: %d; audit: %s",
                VersionProvider.version(), host.indexOf(':') >= 0 ? "[" + host + "]" : host, a.getPort(), file.source(),
                file.policy().mode().code(), file.policy().embeddedIpv4().code(),
                SpecialUseRanges.all().size(), file.policy().deniedRanges().size(), file.policy().deniedHostnames().size(),
                file.policy().allowRules().size(), file.audit().fileIfSet().map(Object::toString).orElse("stdout"));
    }
}
