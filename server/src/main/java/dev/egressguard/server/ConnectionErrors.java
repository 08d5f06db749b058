package dev.egressguard.server;

import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import org.slf4j.Logger;

/**
 * The one way a connection's handlers take an exception: logged once — an expected I/O error (a
 * reset, a broken pipe) as one debug line, anything else as a warning without a stack trace —
 * then the channel closes. Never rethrown, never printed.
 */
final class ConnectionErrors {
    private ConnectionErrors() {}

    static void logAndClose(Logger log, ChannelHandlerContext ctx, Throwable cause, String what) {
        if (cause instanceof IOException) {
            log.debug("{} closed: {}", what, cause.toString());
        } else {
            log.warn("{} failed: {}", what, cause.toString());
        }
        ctx.close();
    }
}
