package dev.egressguard.cli;

import dev.egressguard.config.EffectivePolicyYaml;
import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code egressguard proxy}: validates the policy and prints the effective policy it would run.
 * The listener itself is the next piece of work (the filtering proxy issue); until it lands this
 * command says so plainly rather than pretending to protect anything.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "Run the filtering proxy (this build: validate the policy and print the effective policy it would run).")
final class ProxyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOption policyOption;

    @Option(names = "--listen", paramLabel = "<host:port>", description = "Override the policy's listen address.")
    String listen;

    @Override
    public Integer call() {
        PolicyFile file = policyOption.load();
        if (listen != null) {
            var address = PolicyFileLoader.parseListen(listen).orElseThrow(() -> new CommandLine.ParameterException(
                    spec.commandLine(), "--listen: \"" + listen + "\" (expected: IP:port such as 127.0.0.1:3128)"));
            file = new PolicyFile(file.source(), address, file.clientsAllow(), file.policy(), file.dns(), file.limits(), file.audit());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(EffectivePolicyYaml.render(file));
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("egressguard proxy: this build has no listener yet; the policy above is valid and is what it will enforce.");
        err.flush();
        return ExitCodes.OK;
    }
}
