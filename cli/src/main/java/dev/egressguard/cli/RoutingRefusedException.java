package dev.egressguard.cli;

/** {@code run} will not start the command unrouted. Exit {@link ExitCodes#ROUTING_REFUSED}. */
final class RoutingRefusedException extends RuntimeException {
    RoutingRefusedException(String message) {
        super(message);
    }
}
