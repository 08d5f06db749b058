package dev.egressguard.client.routing;

/** Routing is enabled but cannot be set up: the process must not start (it would go direct). */
public final class ProxyRoutingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProxyRoutingException(String message) {
        super(message);
    }
}
