package dev.egressguard.client.fetch;

import java.io.IOException;
import java.net.Proxy;
import java.time.Duration;
import java.util.Set;
import okhttp3.Authenticator;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Sends one hop over the connection its {@link HopRoute} pins, direct or through the route's
 * proxy (CONNECT for https, the absolute form for http), and reads the answer. OkHttp follows no
 * redirect, resolves no name (the route's {@link PinnedDns} is its only lookup), and never
 * consults the JVM's {@code ProxySelector}. I/O failures are thrown as they come; the caller
 * translates them ({@link FetchFailures}).
 */
final class HopTransport {
    /** Framing and connection fields OkHttp writes itself; a caller's copies are not sent. */
    private static final Set<String> TRANSPORT_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade");
    private static final Set<String> METHODS_REQUIRING_BODY = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

    private final OkHttpClient base;
    private final long maxBodyBytes;

    HopTransport(FetchOptions options) {
        OkHttpClient.Builder ok = new OkHttpClient.Builder()
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(options.connectTimeout())
                .readTimeout(options.readTimeout())
                .writeTimeout(options.readTimeout())
                .proxy(Proxy.NO_PROXY)
                .socketFactory(options.socketFactory());
        if (options.sslSocketFactory() != null) {
            ok.sslSocketFactory(options.sslSocketFactory(), options.trustManager());
        }
        this.base = ok.build();
        this.maxBodyBytes = options.maxBodyBytes();
    }

    /** Sends {@code hop} and returns the response head; the call, body included, ends by {@code remaining}. */
    Response send(HopRoute route, Hop hop, Duration remaining, ConnectPhaseListener phase) throws IOException {
        OkHttpClient client = base.newBuilder()
                .dns(route.dns())
                .proxy(route.proxy())
                .callTimeout(Duration.ofMillis(Math.max(1, remaining.toMillis()))) // 0 would mean none
                .eventListener(phase)
                .proxyAuthenticator(proxyAuthenticator(route))
                .build();
        Request.Builder request = new Request.Builder().url(hop.target().httpUrl());
        hop.headers().removing(TRANSPORT_HEADERS).forEach(request::addHeader);
        RequestBody body = hop.body() != null ? RequestBody.create(hop.body(), null)
                : METHODS_REQUIRING_BODY.contains(hop.method()) ? RequestBody.create(new byte[0], null) : null;
        request.method(hop.method(), body);
        return client.newCall(request.build()).execute();
    }

    /** Answers the proxy's challenge once with the route's credentials; none without them. */
    private static Authenticator proxyAuthenticator(HopRoute route) {
        if (route.proxyAuthorization() == null) {
            return Authenticator.NONE;
        }
        return (r, challenge) -> challenge.request().header("Proxy-Authorization") != null ? null
                : challenge.request().newBuilder().header("Proxy-Authorization", route.proxyAuthorization()).build();
    }

    /**
     * The final answer of a fetch: {@code response} with its body read in full.
     *
     * @throws FetchBodyTooLargeException the body is longer than {@code maxBodyBytes}
     */
    FetchResult receive(Hop hop, Response response, int requests) throws IOException {
        byte[] body = readCapped(response.body(), hop.target(), requests);
        FetchHeaders.Builder headers = FetchHeaders.builder();
        Headers received = response.headers();
        for (int i = 0; i < received.size(); i++) {
            headers.addReceived(received.name(i), received.value(i));
        }
        return new FetchResult(hop.target().toString(), hop.target().origin(), response.code(), headers.build(), body, requests);
    }

    private byte[] readCapped(ResponseBody body, HopTarget target, int requests) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        long limit = maxBodyBytes;
        if (body.contentLength() > limit) {
            throw new FetchBodyTooLargeException(limit, target.origin(), requests);
        }
        BufferedSource source = body.source();
        Buffer buffer = new Buffer();
        // Each read adds at least one byte or ends the stream; the cap ends it past the limit.
        while (source.read(buffer, 8192) != -1) {
            if (buffer.size() > limit) {
                throw new FetchBodyTooLargeException(limit, target.origin(), requests);
            }
        }
        return buffer.readByteArray();
    }

    /** Tells a connect timeout from a read timeout: whether the call ever got a connection. */
    static final class ConnectPhaseListener extends EventListener {
        private volatile boolean connected;

        @Override
        public void connectionAcquired(Call call, Connection connection) {
            connected = true;
        }

        boolean connected() {
            return connected;
        }
    }
}
