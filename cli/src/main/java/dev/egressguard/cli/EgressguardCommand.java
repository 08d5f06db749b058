package dev.egressguard.cli;

import dev.egressguard.cli.validate.ProxyUnreachableException;
import dev.egressguard.client.routing.ProxyRoutingException;
import dev.egressguard.client.routing.RuntimeConfigException;
import dev.egressguard.config.ConfigException;
import dev.egressguard.config.ConfigProblem;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command: lists the subcommands and does nothing else. */
@Command(name = "egressguard", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A filtering egress proxy and SSRF guard for AI-agent runtimes.",
        subcommands = {ProxyCommand.class, CheckCommand.class, PolicyCommand.class, RunCommand.class, ConfigCommand.class, ValidateCommand.class, CaCommand.class,
                CommandLine.HelpCommand.class})
public final class EgressguardCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** The command line with exit codes and error printing wired; tests use it with captured writers. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new EgressguardCommand());
        cl.setExitCodeExceptionMapper(ExitCodes::forThrowable);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof ConfigException) {
                for (ConfigProblem p : ((ConfigException) ex).problems()) {
                    err.println("error: " + p);
                }
                err.println(((ConfigException) ex).problems().size() + " error(s); nothing was changed");
            } else if (ex instanceof InputException || ex instanceof RuntimeConfigException || ex instanceof ProxyUnreachableException) {
                err.println("error: " + ex.getMessage());
            } else if (ex instanceof ProxyRoutingException || ex instanceof RoutingRefusedException) {
                err.println(ex.getMessage());
            } else {
                err.println("internal error: " + ex);
                ex.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.forThrowable(ex);
        });
        return cl;
    }
}
