package dev.egressguard.server;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.server.approval.ApprovalClient;
import dev.egressguard.server.tls.TunnelServices;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * The proxy as a TLS tunnel sees it, for one CONNECT exchange: dials go to the addresses its
 * decision vetted through the proxy's connector (dial guard, no resolution); what happens inside is
 * audited as exchanges of their own ({@code <tunnel id>.<n>}, mode {@code intercept}; the handshake
 * {@code <tunnel id>.tls}, mode {@code tls}) under the tunnel's client, identity and policy
 * generation; answers come from {@link ErrorResponses}.
 */
final class ProxyTunnelServices implements TunnelServices {
    private final ProxyContext proxy;
    private final ProxyContext.Snapshot snapshot;
    private final Exchange tunnel;
    private final String identity;
    private final String host;
    private final int port;
    private final List<InetAddress> vetted;
    private int requests;

    ProxyTunnelServices(ProxyContext proxy, ProxyContext.Snapshot snapshot, Exchange tunnel, String identity, String host, int port,
                        List<InetAddress> vetted) {
        this.proxy = proxy;
        this.snapshot = snapshot;
        this.tunnel = tunnel;
        this.identity = identity;
        this.host = host;
        this.port = port;
        this.vetted = List.copyOf(vetted);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public EnforcementMode mode() {
        return snapshot.file().policy().mode();
    }

    @Override
    public ApprovalClient approvals() {
        return snapshot.approvals();
    }

    @Override
    public Future<Channel> dial(EventLoop loop, Supplier<ChannelHandler> initializer) {
        long start = System.nanoTime();
        Future<Channel> dialled = proxy.connector().connect(loop, vetted, port, initializer);
        dialled.addListener(f -> proxy.metrics().connectLatency(System.nanoTime() - start));
        return dialled;
    }

    @Override
    public InnerExchange begin(String method) {
        Exchange e = tunnel.inside("." + (++requests), RequestTarget.Mode.INTERCEPT, method);
        boolean paths = snapshot.file().audit().paths();
        return new InnerExchange() {
            @Override
            public void path(String decodedPath) {
                if (paths) {
                    e.path(decodedPath);
                }
            }

            @Override
            public void approval(String auditText) {
                e.approval(auditText);
            }

            @Override
            public void decided(Decision decision) {
                e.decided(decision);
            }

            @Override
            public void closed(int status, String error, long bytesUp, long bytesDown) {
                e.closed(status, error, bytesUp, bytesDown);
            }
        };
    }

    @Override
    public void tlsRefused(Decision decision) {
        Exchange e = tunnel.inside(".tls", RequestTarget.Mode.TLS, null);
        e.decided(decision);
        e.closed(0, decision.reason().code(), 0, 0);
    }

    @Override
    public Answer refusal(Decision decision, String accept) {
        RefusalBodies.Asked asked = new RefusalBodies.Asked(host, port, identity, RefusalBodies.acceptsJson(accept));
        return new Answer(ErrorResponses.forRefusal(decision, asked), ErrorResponses.errorFor(decision).type());
    }

    @Override
    public Answer connectFailure(Throwable cause) {
        return upstream(ErrorResponses.upstreamErrorFor(cause), host + ":" + port);
    }

    @Override
    public Answer tlsFailure(boolean certificate, String details) {
        return upstream(certificate ? ProxyStatusError.TLS_CERTIFICATE_ERROR : ProxyStatusError.TLS_PROTOCOL_ERROR, details);
    }

    @Override
    public Answer responseFailure(String details) {
        return upstream(ProxyStatusError.HTTP_RESPONSE_INCOMPLETE, details);
    }

    private static Answer upstream(ProxyStatusError error, String details) {
        return new Answer(ErrorResponses.forUpstream(error, details), error.type());
    }

    @Override
    public ChannelHandler newRequestDecoder() {
        return new StrictHttpRequestDecoder(snapshot.file().limits().maxHeaderBytes());
    }

    @Override
    public void stripHopByHop(HttpHeaders headers) {
        HopByHopHeaders.strip(headers, false);
    }

    @Override
    public boolean isDrainEvent(Object event) {
        return event == DrainEvent.INSTANCE;
    }

    @Override
    public boolean isDraining() {
        return proxy.isDraining();
    }
}
