package dev.egressguard.client.routing;

/** The runtime config file is unreadable or holds a value of the wrong kind; the message names the file, key and value. */
public final class RuntimeConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuntimeConfigException(String message) {
        super(message);
    }
}
