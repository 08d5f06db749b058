package dev.egressguard.client.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.egressguard.core.parity.ParityVectors;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.TargetUrl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code fetchWithSsrFGuard} vector of {@code shared/testdata/openclaw-parity.json}, run
 * against {@link GuardedFetch} with real sockets on loopback.
 *
 * <p>How a vector maps to a run:
 * <ul>
 *   <li>{@code input.responses} are served, in order, by a {@link ScriptedUpstream} (plain HTTP
 *       and TLS on 127.0.0.1); {@code fetchCalls} is what that server counts, and must also be
 *       what the fetch reports.</li>
 *   <li>{@code input.dns} becomes a {@link FixedResolver}: the guard judges those answers (public
 *       addresses such as 93.184.216.34 included) and
 *       {@link LoopbackOnlySocketFactory#remapping} moves the dial of an answer to the stand-in
 *       (port 443 to TLS, others to plain, the proxy port to the proxy). The
 *       {@link LoopbackOnlySocketFactory} refuses and records any connect to anything but those
 *       loopback stand-ins, so no vector can dial a public address.</li>
 *   <li>{@code dispatcherPolicy} {@code explicit-proxy} becomes
 *       {@link GuardedFetch.Builder#explicitProxy}, served by a {@link TunnelProxy}; a proxy URL
 *       that OpenClaw rejects is rejected by the builder with the same message.</li>
 *   <li>{@code input.env} with {@code OPENCLAW_PROXY_ACTIVE=1} is OpenClaw's managed proxy, which
 *       is our {@link GuardedFetch.Builder#routingProxy}: host rules, no local DNS. We read no
 *       environment, so a vector whose env sets a proxy without {@code OPENCLAW_PROXY_ACTIVE}
 *       (OpenClaw's strict mode ignoring it) runs with no proxy. OpenClaw's {@code NO_PROXY}
 *       loopback bypass has no counterpart (the routing contract clears bypass lists): the one
 *       vector that relies on it (loopback literal) is refused by the host rules either way.</li>
 * </ul>
 * No vector is skipped: the dispatcher-internal ones all have a Java meaning above.
 */
class FetchWithSsrFGuardParityTest {
    private static final String FN = "fetchWithSsrFGuard";

    @Test
    void theVectorFileHasEveryGuardedFetchVector() {
        assertThat(ParityVectors.of(FN)).hasSize(58);
    }

    @TestFactory
    Stream<DynamicTest> fetchWithSsrFGuardVectors() {
        List<JsonNode> all = ParityVectors.of(FN);
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            JsonNode v = all.get(i);
            String name = "#" + i + " " + v.get("input").get("url").asText() + " -> " + v.get("expect").asText()
                    + (v.has("error") ? " (" + v.get("error").asText() + ")" : "") + " — " + v.path("why").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> run(v)));
        }
        return tests.stream();
    }

    private static void run(JsonNode v) throws Exception {
        JsonNode input = v.get("input");
        TestTls tls = TestTls.get();
        LoopbackOnlySocketFactory dials = new LoopbackOnlySocketFactory();
        FixedResolver resolver = resolver(input.get("dns"));
        try (ScriptedUpstream upstream = new ScriptedUpstream(tls);
             TunnelProxy proxy = new TunnelProxy(dials, line -> line.contains(":443 ") || line.startsWith("GET https")
                     ? upstream.httpsAddress() : upstream.httpAddress())) {
            dials.allow(upstream.httpAddress()).allow(upstream.httpsAddress()).allow(proxy.address());
            for (JsonNode r : input.path("responses")) {
                ScriptedUpstream.Reply reply = ScriptedUpstream.Reply.status(r.get("status").asInt());
                if (r.has("location")) {
                    reply = reply.withHeader("Location", r.get("location").asText());
                }
                upstream.enqueue(reply);
            }

            ProxyUse proxyUse = proxyUse(input);
            Set<InetAddress> answers = answers(input.get("dns"), null);
            Set<InetAddress> proxyAnswers = proxyUse.host == null ? Set.of() : proxyAddresses(proxyUse.host, input.get("dns"));
            UnaryOperator<InetSocketAddress> remap = a -> {
                if (proxyUse.port == a.getPort() && proxyAnswers.contains(a.getAddress())) {
                    return proxy.address();
                }
                if (answers.contains(a.getAddress())) {
                    return a.getPort() == 443 ? upstream.httpsAddress() : upstream.httpAddress();
                }
                return a; // not a stand-in: the LoopbackOnlySocketFactory refuses it
            };

            Throwable thrown = catchThrowable(() -> {
                GuardedFetch fetch = builder(v, proxyUse).resolver(resolver)
                        .socketFactory(dials.remapping(remap))
                        .sslSocketFactory(tls.clientSockets, tls.clientTrust).build();
                FetchResult result = fetch.fetch(request(input));
                check(v, result, upstream, proxy, proxyUse);
            });
            if (thrown instanceof AssertionError) {
                throw (AssertionError) thrown;
            }
            if (v.get("expect").asText().equals("allowed")) {
                assertThat(thrown).as("allowed vector").isNull();
            } else {
                checkError(v, thrown);
            }
            assertThat(upstream.requests()).as("upstream requests (fetchCalls)").hasSize(v.get("fetchCalls").asInt());
            if (v.has("dnsCalled")) {
                assertThat(!resolver.calls().isEmpty()).as("DNS called: " + resolver.calls()).isEqualTo(v.get("dnsCalled").asBoolean());
            }
            assertThat(dials.violations()).as("connects to anything but a loopback stand-in").isEmpty();
        }
    }

    private static void check(JsonNode v, FetchResult result, ScriptedUpstream upstream, TunnelProxy proxy, ProxyUse proxyUse) {
        assertThat(result.status()).isEqualTo(v.get("status").asInt());
        assertThat(result.upstreamRequests()).as("requests the fetch reports").isEqualTo(v.get("fetchCalls").asInt());
        List<ScriptedUpstream.Recorded> seen = upstream.requests();
        assertThat(seen).as("requests the upstream saw").hasSize(v.get("fetchCalls").asInt());
        if (proxyUse.host != null) {
            // Through a proxy, the proxy is asked for the name: it resolves it, we do not dial it.
            String host = hostOf(v);
            assertThat(proxy.requestLines()).as("what the proxy was asked")
                    .isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("CONNECT " + host + ":443 "));
        } else {
            assertThat(proxy.requestLines()).as("no proxy in use").isEmpty();
        }
        if (v.has("secondRequest")) {
            checkSecondRequest(v.get("secondRequest"), seen.get(1));
        }
    }

    private static String hostOf(JsonNode v) {
        return TargetUrl.tryParse(v.get("input").get("url").asText()).orElseThrow().host();
    }

    private static void checkSecondRequest(JsonNode expected, ScriptedUpstream.Recorded second) {
        if (expected.has("method")) {
            assertThat(second.method()).isEqualTo(expected.get("method").asText());
        }
        if (expected.has("body")) {
            // OpenClaw's "null" body: nothing sent (a bodiless POST carries Content-Length: 0).
            String body = expected.get("body").isNull() ? "" : expected.get("body").asText();
            assertThat(second.bodyText()).as("second request body").isEqualTo(body);
        }
        expected.path("headers").fields().forEachRemaining(e ->
                assertThat(second.header(e.getKey())).as("header " + e.getKey()).contains(e.getValue().asText()));
        for (JsonNode absent : expected.path("absentHeaders")) {
            assertThat(second.header(absent.asText())).as("header " + absent.asText() + " must be gone").isEmpty();
        }
    }

    private static void checkError(JsonNode v, Throwable thrown) {
        String error = v.get("error").asText();
        assertThat(thrown).as("error vector").isNotNull().hasMessage(error);
        if (thrown instanceof IllegalArgumentException) {
            // OpenClaw rejects a bad explicit proxy URL per fetch; the builder rejects it up front.
            assertThat(v.get("input").has("dispatcherPolicy")).as("only a proxy URL is a configuration error").isTrue();
            return;
        }
        assertThat(thrown).isInstanceOf(GuardedFetchException.class);
        assertThat(((GuardedFetchException) thrown).upstreamRequests()).as("requests the error reports")
                .isEqualTo(v.get("fetchCalls").asInt());
        if (error.startsWith("Blocked") || error.startsWith("Domain policy")) {
            assertThat(thrown).isInstanceOf(FetchBlockedException.class);
        }
        if (v.path("errorType").asText().equals("GuardedFetchRedirectError")) {
            assertThat(thrown).isInstanceOf(FetchRedirectException.class);
            assertThat(((FetchRedirectException) thrown).problem()).isEqualTo(FetchRedirectException.Problem.TOO_MANY);
        }
    }

    /** Which proxy, if any, the vector puts in front of the target. */
    private static final class ProxyUse {
        final String url;
        final boolean explicit;
        final boolean allowPrivateProxy;
        final String host;
        final int port;

        ProxyUse(String url, boolean explicit, boolean allowPrivateProxy) {
            this.url = url;
            this.explicit = explicit;
            this.allowPrivateProxy = allowPrivateProxy;
            Optional<TargetUrl> parsed = url == null ? Optional.empty()
                    : TargetUrl.tryParse(url);
            this.host = parsed.map(TargetUrl::host).orElse(null);
            this.port = parsed.map(TargetUrl::port).orElse(-1);
        }
    }

    private static ProxyUse proxyUse(JsonNode input) {
        JsonNode dispatcher = input.get("dispatcherPolicy");
        if (dispatcher != null) {
            assertThat(dispatcher.get("mode").asText()).as("dispatcher modes in the vectors").isEqualTo("explicit-proxy");
            return new ProxyUse(dispatcher.get("proxyUrl").asText(), true, dispatcher.path("allowPrivateProxy").asBoolean(false));
        }
        JsonNode env = input.path("env");
        if (env.path("OPENCLAW_PROXY_ACTIVE").asText().equals("1")) {
            boolean https = input.get("url").asText().startsWith("https:");
            String url = env.path(https ? "HTTPS_PROXY" : "HTTP_PROXY").asText(env.path("HTTP_PROXY").asText());
            return new ProxyUse(url, false, false);
        }
        return new ProxyUse(null, false, false);
    }

    private static GuardedFetch.Builder builder(JsonNode v, ProxyUse proxyUse) {
        JsonNode input = v.get("input");
        GuardedFetch.Builder b = GuardedFetch.builder().policy(ParityVectors.guardPolicy(input.get("policy")));
        if (input.has("maxRedirects")) {
            b.maxRedirects(input.get("maxRedirects").asInt());
        }
        b.requireHttps(input.path("requireHttps").asBoolean(false));
        b.allowCrossOriginUnsafeRedirectReplay(input.path("allowCrossOriginUnsafeRedirectReplay").asBoolean(false));
        if (proxyUse.url != null) {
            if (proxyUse.explicit) {
                b.explicitProxy(proxyUse.url, proxyUse.allowPrivateProxy);
            } else {
                b.routingProxy(proxyUse.url);
            }
        }
        return b;
    }

    private static FetchRequest request(JsonNode input) {
        FetchRequest.Builder r = FetchRequest.builder(input.get("url").asText());
        JsonNode init = input.path("init");
        if (init.has("method")) {
            r.method(init.get("method").asText());
        }
        init.path("headers").fields().forEachRemaining(e -> r.header(e.getKey(), e.getValue().asText()));
        if (init.has("body") && !init.get("body").isNull()) {
            r.body(init.get("body").asText().getBytes(StandardCharsets.UTF_8));
        }
        return r.build();
    }

    private static FixedResolver resolver(JsonNode dns) {
        FixedResolver r = new FixedResolver();
        if (dns != null) {
            dns.fields().forEachRemaining(e -> {
                List<String> addresses = new ArrayList<>();
                e.getValue().forEach(a -> addresses.add(a.get("address").asText()));
                r.answer(e.getKey(), addresses.toArray(String[]::new));
            });
        }
        return r;
    }

    /** Every address in the vector's DNS table (or only {@code host}'s, when given). */
    private static Set<InetAddress> answers(JsonNode dns, String host) {
        Set<InetAddress> out = new HashSet<>();
        if (dns != null) {
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) dns::fields) {
                if (host == null || e.getKey().equals(host.toLowerCase(Locale.ROOT))) {
                    e.getValue().forEach(a -> out.add(IpLiterals.parse(a.get("address").asText()).toInetAddress()));
                }
            }
        }
        return out;
    }

    private static Set<InetAddress> proxyAddresses(String proxyHost, JsonNode dns) {
        Optional<IpAddress> literal = IpLiterals.tryParse(proxyHost);
        return literal.isPresent() ? Set.of(literal.get().toInetAddress()) : answers(dns, proxyHost);
    }
}
