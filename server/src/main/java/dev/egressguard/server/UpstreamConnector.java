package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * Opens the upstream channel of an exchange to one of its vetted addresses. The proxy's is
 * {@link VettedConnector}; handler tests give channels of their own.
 */
interface UpstreamConnector {
    /**
     * Connects to the first of {@code vetted} that answers on {@code port}, with {@code handler}
     * as the channel's handler (its pipeline initializer) and reads off; completes on {@code loop}.
     */
    Future<Channel> connect(EventLoop loop, List<InetAddress> vetted, int port, Supplier<ChannelHandler> handler);
}
