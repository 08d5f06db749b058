package dev.egressguard.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.TimeUnit;

/** Channel helpers. */
final class Channels {
    private Channels() {}

    /** Closes the channel of a finished write, unless it closed meanwhile. */
    static final ChannelFutureListener CLOSE_IF_OPEN = f -> closeIfOpen(f.channel());

    /** Closes the channel once everything written so far has been flushed. */
    static void closeOnFlush(Channel channel) {
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(CLOSE_IF_OPEN);
        } else {
            closeIfOpen(channel);
        }
    }

    /**
     * {@link #closeOnFlush(Channel)}, and closed anyway after {@code seconds}: a peer that stops
     * reading cannot hold the channel open once nothing else watches it.
     */
    static void closeOnFlush(Channel channel, long seconds) {
        closeOnFlush(channel);
        if (channel != null && channel.isOpen()) {
            channel.eventLoop().schedule(() -> closeIfOpen(channel), seconds, TimeUnit.SECONDS);
        }
    }

    /** Closes the channel unless it is closed already: closing a closed channel costs Netty an exception and a failed promise. */
    static void closeIfOpen(Channel channel) {
        if (channel != null && channel.isOpen()) {
            channel.close();
        }
    }
}
