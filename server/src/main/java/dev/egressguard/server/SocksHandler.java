package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SOCKS5 client connection (RFC 1928, CONNECT only): admission as on the HTTP listener
 * ({@link ConnectionAdmission}), the method negotiation, username/password (RFC 1929) against
 * {@code auth.users} exactly as Basic credentials are checked, then the command — the same
 * {@link RequestVetting} (identity, destination rules, approvals, the denylist after the proxy's own
 * DNS: socks5h semantics), the same vetted dial — and a raw relay. Audited with mode {@code socks}.
 */
final class SocksHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SocksHandler.class);

    /** Where the handshake stands. */
    private enum Phase { GREETING, AUTHENTICATING, CHECKING_CREDENTIALS, COMMAND, DECIDING, CONNECTING, DONE }

    private final ProxyContext proxy;
    private final TrafficCounter traffic;
    private final RequestVetting vetting;
    private final HeadTimer headTimer;
    private final String connectionId;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private Phase phase = Phase.GREETING;
    private Reason overLimit;
    private String user;
    private Exchange exchange;
    private ChannelHandlerContext ctx;

    SocksHandler(ProxyContext proxy, TrafficCounter traffic) {
        this.proxy = proxy;
        this.traffic = traffic;
        this.vetting = new RequestVetting(proxy);
        this.headTimer = new HeadTimer(proxy, traffic);
        this.connectionId = proxy.nextConnectionId();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Reason refused = ConnectionAdmission.admit(proxy, ctx.channel()).orElse(null);
        if (refused == Reason.CLIENT_NOT_ALLOWED) {
            phase = Phase.DONE;
            ctx.channel().config().setAutoRead(false);
            ctx.close();
            return;
        }
        overLimit = refused; // answered at the command, where SOCKS has a way to say so
        headTimer.arm(ctx, sentSomething -> {
            if (phase == Phase.GREETING || phase == Phase.AUTHENTICATING || phase == Phase.COMMAND) {
                ctx.close(); // the handshake did not complete within limits.requestHeaderTimeout
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            if (phase == Phase.DECIDING || phase == Phase.CONNECTING) {
                early.add((ByteBuf) msg); // sent right behind the command: it goes upstream once the tunnel is up
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        try {
            if (msg instanceof DecoderResultProvider && ((DecoderResultProvider) msg).decoderResult().isFailure()) {
                refuseMalformed("socks:malformed");
            } else if (phase == Phase.GREETING && msg instanceof Socks5InitialRequest) {
                greet((Socks5InitialRequest) msg);
            } else if (phase == Phase.AUTHENTICATING && msg instanceof Socks5PasswordAuthRequest) {
                authenticate((Socks5PasswordAuthRequest) msg);
            } else if (phase == Phase.COMMAND && msg instanceof Socks5CommandRequest) {
                command((Socks5CommandRequest) msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void greet(Socks5InitialRequest greeting) {
        boolean requiresAuth = proxy.policy().access().requiresAuth();
        boolean offersPassword = greeting.authMethods().contains(Socks5AuthMethod.PASSWORD);
        if (!requiresAuth && greeting.authMethods().contains(Socks5AuthMethod.NO_AUTH)) {
            next(Socks5AuthMethod.NO_AUTH, Phase.COMMAND, new Socks5CommandRequestDecoder());
        } else if (offersPassword) {
            next(Socks5AuthMethod.PASSWORD, Phase.AUTHENTICATING, new Socks5PasswordAuthRequestDecoder());
        } else {
            audited(Decision.deny(Reason.CLIENT_AUTH_REQUIRED, "auth.users"), "client_auth");
            phase = Phase.DONE;
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void next(Socks5AuthMethod method, Phase then, Object decoder) {
        phase = then;
        ctx.pipeline().replace(HandlerNames.SOCKS_DECODER, HandlerNames.SOCKS_DECODER, (io.netty.channel.ChannelHandler) decoder);
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(method)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private void authenticate(Socks5PasswordAuthRequest credentials) {
        if (!proxy.policy().access().requiresAuth()) {
            authenticated(null); // the client chose to send credentials nobody asked for
            return;
        }
        phase = Phase.CHECKING_CREDENTIALS;
        ctx.channel().config().setAutoRead(false); // nothing is read meanwhile
        RequestAdmission.authenticate(proxy, proxy.policy(), ctx.executor(), credentials.username(), credentials.password())
                .addListener((Future<ProxyAuthenticator.Outcome> f) -> {
                    ProxyAuthenticator.Outcome o = f.getNow();
                    if (o.ok()) {
                        authenticated(o.user());
                        return;
                    }
                    audited(Decision.deny(o.refusal(), "auth.users"), "client_auth");
                    phase = Phase.DONE;
                    ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE)).addListener(ChannelFutureListener.CLOSE);
                });
    }

    private void authenticated(String name) {
        user = name;
        phase = Phase.COMMAND;
        ctx.pipeline().replace(HandlerNames.SOCKS_DECODER, HandlerNames.SOCKS_DECODER, new Socks5CommandRequestDecoder());
        ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        ctx.channel().config().setAutoRead(true);
    }

    private void command(Socks5CommandRequest cmd) {
        headTimer.cancel();
        exchange = new Exchange(proxy, connectionId + "-1", ClientAddress.text(ctx.channel()), cmd.type() == Socks5CommandType.CONNECT ? "CONNECT" : "OTHER", 0, 0);
        exchange.user(user);
        if (cmd.type() != Socks5CommandType.CONNECT) {
            refuse(Decision.deny(Reason.REQUEST_INVALID, "socks:command"), Socks5CommandStatus.COMMAND_UNSUPPORTED);
            return;
        }
        if (overLimit != null) {
            refuse(Decision.deny(overLimit, "limits"), Socks5CommandStatus.FAILURE);
            return;
        }
        phase = Phase.DECIDING;
        RequestTarget target = new RequestTarget(RequestTarget.Mode.SOCKS, cmd.dstAddr(), cmd.dstPort(), null);
        IpAddress client = ClientAddress.ipOf(ctx.channel());
        vetting.vetSocks(target, user, exchange, client, ctx.channel().eventLoop()).addListener((Future<RequestVetting.Verdict> f) -> {
            if (phase != Phase.DECIDING) {
                return;
            }
            RequestVetting.Verdict v = f.getNow();
            if (v.refusal() != null) {
                answer(SocksReplies.failure(SocksReplies.statusFor(v.refusal())), ErrorResponses.errorFor(v.refusal()).type());
                return;
            }
            connect(v);
        });
    }

    private void connect(RequestVetting.Verdict v) {
        phase = Phase.CONNECTING;
        long start = System.nanoTime();
        proxy.connector().connect(ctx.channel().eventLoop(), v.dialable(), v.request().target().port(), () -> UpstreamErrorHandler.INSTANCE)
                .addListener((Future<Channel> f) -> {
                    proxy.metrics().connectLatency(System.nanoTime() - start);
                    if (phase != Phase.CONNECTING) {
                        if (f.isSuccess()) {
                            f.getNow().close();
                        }
                        return;
                    }
                    if (!f.isSuccess()) {
                        ProxyStatusError error = ErrorResponses.upstreamErrorFor(f.cause());
                        answer(SocksReplies.failure(SocksReplies.statusFor(error)), error.type());
                        return;
                    }
                    Channel upstream = f.getNow();
                    exchange.connectedTo(UpstreamSlot.addressOf(upstream));
                    phase = Phase.DONE;
                    Exchange ending = exchange;
                    Tunnels.startSocksTunnel(ctx.channel(), upstream, SocksReplies.success((InetSocketAddress) upstream.localAddress()), early,
                            code -> ending.closed(0, null, traffic.bytesRead(), traffic.bytesWritten()), v.tunnel().sniCheck(proxy, ending)); // docs/tls.md
                });
    }

    private void refuseMalformed(String rule) {
        if (exchange == null) {
            exchange = new Exchange(proxy, connectionId + "-1", ClientAddress.text(ctx.channel()), null, 0, 0);
        }
        refuse(Decision.deny(Reason.REQUEST_INVALID, rule), Socks5CommandStatus.FAILURE);
    }

    private void refuse(Decision refusal, Socks5CommandStatus status) {
        exchange.decided(refusal);
        answer(SocksReplies.failure(status), ErrorResponses.errorFor(refusal).type());
    }

    /** The command's one failure reply; the connection closes after it. */
    private void answer(Object reply, String error) {
        phase = Phase.DONE;
        releaseEarly();
        Exchange ending = exchange;
        ctx.writeAndFlush(reply).addListener(f -> {
            ending.closed(0, error, traffic.bytesRead(), traffic.bytesWritten());
            ctx.close();
        });
    }

    /** A refusal in the handshake, before any command: its decision and close events at once. */
    private void audited(Decision refusal, String error) {
        Exchange refused = new Exchange(proxy, connectionId + "-0", ClientAddress.text(ctx.channel()), null, 0, 0);
        refused.user(user);
        refused.decided(refusal);
        refused.closed(0, error, traffic.bytesRead(), traffic.bytesWritten());
    }

    private void releaseEarly() {
        early.forEach(ByteBuf::release);
        early.clear();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent || evt == DrainEvent.INSTANCE) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        headTimer.cancel();
        if (exchange != null && phase != Phase.DONE) {
            exchange.closed(0, "client_closed", traffic.bytesRead(), traffic.bytesWritten());
        }
        phase = Phase.DONE;
        releaseEarly();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        headTimer.cancel();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.logAndClose(log, ctx, cause, "SOCKS5 connection " + connectionId);
    }
}
