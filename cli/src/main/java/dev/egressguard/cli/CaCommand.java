package dev.egressguard.cli;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.server.tls.CertificateAuthority;
import dev.egressguard.server.tls.Interception;
import dev.egressguard.server.tls.TlsSetupException;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code egressguard ca show --policy FILE}: the interception CA's certificate, for clients to trust (docs/tls.md). */
@Command(name = "ca", mixinStandardHelpOptions = true, description = "The TLS interception CA (docs/tls.md).", subcommands = CaCommand.Show.class)
final class CaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: show");
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print the certificate (PEM) of the policy's interception CA, after checking that its key fits it.",
                    "An ephemeral CA exists only in the running proxy: fetch it from the admin listener's /ca.pem, or set tls.caCertOut.",
                    "Exit status: 0 printed, 2 no CA to show or an invalid policy."})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PolicyOption policyOption;

        @Override
        public Integer call() {
            if (policyOption.file == null) {
                throw new InputException("ca show: pass --policy FILE (the embedded default intercepts nothing)");
            }
            PolicyFile file = policyOption.load();
            if (!file.tls().isConfigured()) {
                throw new InputException("ca show: " + file.source() + " has no tls block: nothing is intercepted, there is no CA");
            }
            Optional<CertificateAuthority> ca;
            try {
                ca = Interception.operatorCa(file.tls());
            } catch (TlsSetupException e) {
                throw new InputException("ca show: " + e.getMessage());
            }
            if (ca.isEmpty()) {
                throw new InputException("ca show: tls.ca is ephemeral: the proxy makes it when it starts and it exists nowhere else;"
                        + " fetch it from the running proxy's admin listener (curl http://127.0.0.1:9090/ca.pem) or set tls.caCertOut");
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(ca.get().pem());
            out.flush();
            return ExitCodes.OK;
        }
    }
}
