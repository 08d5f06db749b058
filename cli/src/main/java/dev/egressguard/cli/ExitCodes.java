package dev.egressguard.cli;

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

    private ExitCodes() {}

    static int forThrowable(Throwable t) {
        if (t instanceof CommandLine.ParameterException || t instanceof ConfigException || t instanceof InputException) {
            return USAGE;
        }
        return INTERNAL;
    }
}
