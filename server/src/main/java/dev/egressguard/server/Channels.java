package dev.egressguard.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

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

    /** Closes the channel unless it is closed already: closing a closed channel costs Netty an exception and a failed promise. */
    static void closeIfOpen(Channel channel) {
        if (channel != null && channel.isOpen()) {
            channel.close();
        }
    }
}
