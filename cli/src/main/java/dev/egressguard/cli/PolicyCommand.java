package dev.egressguard.cli;

import dev.egressguard.config.EffectivePolicyYaml;
import dev.egressguard.config.LintWarning;
import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.config.PolicyLinter;
import dev.egressguard.server.tls.Interception;
import dev.egressguard.server.tls.TlsSetupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code egressguard policy lint|show|hash-password|suggest}. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Inspect policy files.",
        subcommands = {PolicyCommand.Lint.class, PolicyCommand.Show.class, PolicyCommand.HashPassword.class, PolicySuggestCommand.class})
final class PolicyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: lint, show, hash-password or suggest");
    }

    @Command(name = "lint", mixinStandardHelpOptions = true,
            description = {"Validate a policy file; print its effective policy (defaults included) and warnings.",
                    "Exit status: 0 clean, 1 warnings, 2 errors (all of them are listed)."})
    static final class Lint implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "<file>", description = "The policy file.")
        Path file;

        @Option(names = {"-q", "--quiet"}, description = "Print only warnings and errors, not the effective policy.")
        boolean quiet;

        @Override
        public Integer call() {
            PolicyFile policy = PolicyFileLoader.load(file);
            try {
                Interception.operatorCa(policy.tls()); // the key must be the certificate's, as the proxy will need it
            } catch (TlsSetupException e) {
                spec.commandLine().getErr().println("error: " + file + ": " + e.getMessage());
                spec.commandLine().getErr().flush();
                return ExitCodes.USAGE;
            }
            List<LintWarning> warnings = PolicyLinter.lint(policy);
            PrintWriter out = spec.commandLine().getOut();
            if (!quiet) {
                out.print(EffectivePolicyYaml.render(policy));
            }
            for (LintWarning w : warnings) {
                out.println("# warning: " + w);
            }
            out.println("# " + file + ": valid, " + warnings.size() + " warning" + (warnings.size() == 1 ? "" : "s"));
            out.flush();
            return warnings.isEmpty() ? ExitCodes.OK : ExitCodes.FINDINGS;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the embedded default policy as YAML: every key with its value, and the built-in denied table.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--raw", description = "Print the embedded default policy file as shipped, comments included.")
        boolean raw;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(raw ? PolicyFileLoader.embeddedDefaultText() : EffectivePolicyYaml.render(PolicyFileLoader.embeddedDefault()));
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "hash-password", mixinStandardHelpOptions = true,
            description = {"Read a password from standard input (one line) and print its salted hash for auth.users[].passwordHash.",
                    "  printf '%s' \"$SECRET\" | egressguard policy hash-password"})
    static final class HashPassword implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            String line = firstLine(System.in, PasswordHash.MAX_FILE_BYTES);
            if (line.isEmpty()) {
                throw new InputException("hash-password: no password on standard input");
            }
            spec.commandLine().getOut().println(PasswordHash.of(line.toCharArray()).encoded());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }

        /** The first line of {@code in} (without its line break), reading no further than it and never more than {@code max} bytes. */
        static String firstLine(InputStream in, int max) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                if (line.size() == max) {
                    throw new InputException("hash-password: the first line of standard input is longer than " + max + " bytes");
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.UTF_8);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }
    }
}
