package dev.egressguard.server;

/** Fired on every client connection when the proxy starts draining: idle ones close, busy ones close after their response. */
final class DrainEvent {
    static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {}
}
