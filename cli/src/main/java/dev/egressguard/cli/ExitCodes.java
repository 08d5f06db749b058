package dev.egressguard.cli;

import dev.egressguard.cli.validate.ProxyUnreachableException;
import dev.egressguard.cli.validate.ValidationReport;
import dev.egressguard.client.routing.ProxyRoutingException;
import dev.egressguard.client.routing.RuntimeConfigException;
import dev.egressguard.config.ConfigException;
import picocli.CommandLine;

/** Exit codes, mapped in one place. */
public final class ExitCodes {
    /** Everything allowed / clean. */
    public static final int OK = 0;
    /** Something denied (check), warnings (lint), leaks or unproven probes (validate). */
    public static final int FINDINGS = 1;
    /** Usage errors, unreadable input, an invalid policy file, a proxy validate cannot reach. */
    public static final int USAGE = 2;
    /** A bug: an unexpected exception. */
    public static final int INTERNAL = 3;
    /** Proxy routing is enabled but broken, or {@code run} would have to start its command unrouted (EX_CONFIG). */
    public static final int ROUTING_REFUSED = 78;

    private ExitCodes() {}

    /** validate: a leak, or a probe that had to be proven and was not, is a finding. */
    static int forValidation(ValidationReport report) {
        return report.hasLeak() || report.hasUnproven() ? FINDINGS : OK;
    }

    static int forThrowable(Throwable t) {
        if (t instanceof ProxyRoutingException || t instanceof RoutingRefusedException) {
            return ROUTING_REFUSED;
        }
        if (t instanceof CommandLine.ParameterException || t instanceof ConfigException || t instanceof InputException
                || t instanceof RuntimeConfigException || t instanceof ProxyUnreachableException) {
            return USAGE;
        }
        return INTERNAL;
    }
}
