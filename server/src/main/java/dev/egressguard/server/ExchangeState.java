package dev.egressguard.server;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where the exchange in flight on a client connection stands: one value instead of a set of flags.
 * Every move goes through {@link #canMoveTo}, so an impossible step (a second answer, a response
 * after a refusal) is a bug caught where it happens, not a corrupted connection.
 *
 * <pre>
 * IDLE ─▶ ADMITTING ─▶ DECIDING ─▶ CONNECTING ─▶ FORWARDING ─▶ RESPONDING ─▶ IDLE (keep-alive)
 *   │          │           │            │   └────▶ TUNNEL      │      └──────▶ TUNNEL (WebSocket 101)
 *   └──────────┴───────────┴────────────┴──────────┴─▶ ANSWERED (a refusal or failure; lingers, closes)
 * any ─▶ CLOSED
 * </pre>
 */
enum ExchangeState {
    /** No request in flight: waiting for the next head; the head timer runs. */
    IDLE,
    /** A head is in; the proxy's credentials are being checked. */
    ADMITTING,
    /** Admitted and valid; the destination is being decided (DNS may be in flight). */
    DECIDING,
    /** Allowed; the upstream connection is being opened (or an idle one reused). */
    CONNECTING,
    /** The request is going upstream; no final response has begun. */
    FORWARDING,
    /** The upstream's final response is being relayed to the client. */
    RESPONDING,
    /** A raw relay (CONNECT, WebSocket) owns the connection now. */
    TUNNEL,
    /** A refusal or failure was answered: what is left of the request is read and dropped, then the connection closes. */
    ANSWERED,
    /** The client connection is gone. */
    CLOSED;

    private static final Set<ExchangeState> BEFORE_A_RESPONSE = EnumSet.of(ADMITTING, DECIDING, CONNECTING, FORWARDING);

    boolean canMoveTo(ExchangeState next) {
        if (next == CLOSED) {
            return true;
        }
        switch (this) {
            case IDLE:
                return next == ADMITTING || next == ANSWERED;
            case ADMITTING:
                return next == DECIDING || next == ANSWERED;
            case DECIDING:
                return next == CONNECTING || next == ANSWERED;
            case CONNECTING:
                return next == FORWARDING || next == TUNNEL || next == ANSWERED;
            case FORWARDING:
                return next == RESPONDING || next == ANSWERED;
            case RESPONDING:
                return next == IDLE || next == TUNNEL;
            default:
                return false;
        }
    }

    /** An exchange is under way on the connection and this handler still owns it: what arrives now waits for it. */
    boolean isInFlight() {
        return isBeforeAResponse() || this == RESPONDING;
    }

    /** A request is in flight and nothing has been answered yet: a failure now can still be a clean error response. */
    boolean isBeforeAResponse() {
        return BEFORE_A_RESPONSE.contains(this);
    }
}
