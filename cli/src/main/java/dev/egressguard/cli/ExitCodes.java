package dev.egressguard.cli;

import dev.egressguard.client.routing.ProxyRoutingException;
import dev.egressguard.client.routing.RuntimeConfigException;
import dev.egressguard.config.ConfigException;
import picocli.CommandLine;

/** Exit codes, mapped in one place. */
public final class ExitCodes {
    /** Everything allowed / clean. */
    public static final int OK = 0;
    /** Something denied (check), warnings (lint), leaks (validate). */
    public static final int FINDINGS = 1;
    /** Usage errors, unreadable input, an invalid policy file. */
    public static final int USAGE = 2;
    /** A bug: an unexpected exception. */
    public static final int INTERNAL = 3;
    /** Proxy routing is enabled but broken, or {@code run} would have to start its command unrouted (EX_CONFIG). */
    public static final int ROUTING_REFUSED = 78;

    private ExitCodes() {}

    static int forThrowable(Throwable t) {
        if (t instanceof ProxyRoutingException || t instanceof RoutingRefusedException) {
            return ROUTING_REFUSED;
        }
        if (t instanceof RuntimeConfigException) {
            return USAGE;
        }
        if (t instanceof CommandLine.ParameterException || t instanceof ConfigException || t instanceof InputException) {
            return USAGE;
        }
        return INTERNAL;
    }
}
