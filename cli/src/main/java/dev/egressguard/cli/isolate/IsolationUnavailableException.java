package dev.egressguard.cli.isolate;

/**
 * {@code run --isolate} cannot confine the command here (no bubblewrap, namespaces not allowed,
 * the sandbox did not come up), so the command is not started: {@code run} exits 78, as for
 * routing that is enabled but broken. The message names what is missing and how to enable it.
 */
public final class IsolationUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    IsolationUnavailableException(String message) {
        super("egressguard run --isolate: " + message + "; the command was not started.");
    }
}
