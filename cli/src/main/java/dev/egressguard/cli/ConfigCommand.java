package dev.egressguard.cli;

import dev.egressguard.client.routing.ProxyUrl;
import dev.egressguard.client.routing.RuntimeConfigFile;
import dev.egressguard.core.net.UrlCredentials;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code egressguard config set|get|unset|path}: edits the runtime config that holds {@code proxy.enabled} and {@code proxy.proxyUrl}. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Read and edit the runtime config (the spec's proxy: block), validating as it writes.",
                "  egressguard config set proxy.enabled true",
                "  egressguard config set proxy.proxyUrl http://127.0.0.1:3128"},
        subcommands = {ConfigCommand.Set.class, ConfigCommand.Get.class, ConfigCommand.Unset.class, ConfigCommand.Where.class})
final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: set, get, unset or path");
    }

    /** Text to print for a value: proxy URLs always redacted. */
    static String printable(String key, Object value) {
        if (key.equals(RuntimeConfigFile.PROXY_URL) || key.toLowerCase(java.util.Locale.ROOT).contains("url")) {
            String text = String.valueOf(value);
            return ProxyUrl.tryParse(text).map(ProxyUrl::redacted).orElse(UrlCredentials.redact(text));
        }
        return String.valueOf(value);
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Set KEY to VALUE (a YAML scalar) and save the file.")
    static final class Set implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RuntimeConfigOption config;
        @Parameters(index = "0", paramLabel = "<key>", description = "Dotted key, e.g. proxy.enabled.")
        String key;
        @Parameters(index = "1", paramLabel = "<value>", description = "The value, e.g. true or http://127.0.0.1:3128.")
        String value;

        @Override
        public Integer call() {
            RuntimeConfigFile file = RuntimeConfigFile.load(config.location()).with(key, value);
            file.save();
            PrintWriter out = spec.commandLine().getOut();
            out.println(key + " = " + printable(key, file.get(key).orElse("")) + "  (" + file.path() + ")");
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print KEY's value (proxy URLs redacted); exit 1 when it is not set.")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RuntimeConfigOption config;
        @Parameters(paramLabel = "<key>", description = "Dotted key, e.g. proxy.proxyUrl.")
        String key;

        @Override
        public Integer call() {
            Optional<Object> v = RuntimeConfigFile.load(config.location()).get(key);
            if (v.isEmpty()) {
                spec.commandLine().getErr().println(key + " is not set in " + config.location());
                spec.commandLine().getErr().flush();
                return ExitCodes.FINDINGS;
            }
            spec.commandLine().getOut().println(printable(key, v.get()));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "unset", mixinStandardHelpOptions = true, description = "Remove KEY and save the file.")
    static final class Unset implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RuntimeConfigOption config;
        @Parameters(paramLabel = "<key>", description = "Dotted key, e.g. proxy.proxyUrl.")
        String key;

        @Override
        public Integer call() {
            RuntimeConfigFile file = RuntimeConfigFile.load(config.location());
            boolean had = file.get(key).isPresent();
            file.without(key).save();
            spec.commandLine().getOut().println((had ? "removed " : "was not set: ") + key + "  (" + file.path() + ")");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "path", mixinStandardHelpOptions = true, description = "Print where the runtime config file is.")
    static final class Where implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RuntimeConfigOption config;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(config.location());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
