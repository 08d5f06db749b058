package dev.egressguard.client.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egressguard.core.guard.GuardPolicy;
import dev.egressguard.core.guard.SsrfBlockedException;
import dev.egressguard.core.policy.Reason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the parity vectors do not pin down: the dial goes only to vetted addresses, a refused
 * redirect never connects, DNS rebinding between hops, mixed answers, credentials across origins,
 * the body cap, timeouts, loops and the proxy modes. Real sockets, loopback only, every dial
 * through a {@link LoopbackOnlySocketFactory}.
 */
class GuardedFetchTest {
    private static final String PUBLIC = "93.184.216.34";
    private static final String PUBLIC_2 = "93.184.216.35";

    private StandIns world;

    @BeforeEach
    void setUp() throws Exception {
        world = new StandIns();
    }

    @AfterEach
    void noDialLeftLoopback() {
        try {
            assertThat(world.dials.violations()).as("connects to anything but a loopback stand-in").isEmpty();
        } finally {
            world.close();
        }
    }

    @Test
    void dialsOnlyTheVettedAnswersAndNeverResolvesOnItsOwn() throws Exception {
        world.resolver.answer("pinned-only.example", PUBLIC, PUBLIC_2);
        world.upstreamAt(PUBLIC, PUBLIC_2).upstream.enqueue(ScriptedUpstream.Reply.ok("hello"));

        FetchResult result = world.fetch().build().fetch("https://pinned-only.example/x?q=1");

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.bodyText()).isEqualTo("hello");
        assertThat(result.finalUrl()).isEqualTo("https://pinned-only.example/x?q=1");
        assertThat(result.upstreamRequests()).isEqualTo(1);
        // The name exists in no real DNS: the only way to reach it is through the pinned answers.
        assertThat(world.resolver.calls()).containsExactly("pinned-only.example");
        assertThat(world.remapped()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getPort()).isEqualTo(443);
            assertThat(a.getAddress().getHostAddress()).isIn(PUBLIC, PUBLIC_2);
        });
        assertThat(world.upstream.requests().get(0).header("host")).contains("pinned-only.example");
    }

    @Test
    void redirectToABlockedLiteralIsRefusedBeforeAnyConnection() throws Exception {
        try (ProbeListener blocked = new ProbeListener(ProbeListener.Behaviour.SILENT)) {
            world.dials.allow(blocked.address()); // so that a bug would really connect, and be counted
            world.resolver.answer("a.example", PUBLIC);
            world.upstreamAt(PUBLIC).upstream.enqueue(
                    ScriptedUpstream.Reply.redirect(302, "http://127.0.0.1:" + blocked.port() + "/admin"));

            FetchBlockedException e = catchThrowableOfType(FetchBlockedException.class, () -> world.fetch().build().fetch("https://a.example/start"));

            assertThat(e).hasMessage(SsrfBlockedException.BLOCKED_HOST);
            assertThat(e.reason()).isEqualTo(Reason.IP_LOOPBACK);
            assertThat(e.host()).isEqualTo("127.0.0.1");
            assertThat(e.upstreamRequests()).isEqualTo(1);
            assertThat(world.upstream.requests()).hasSize(1);
            assertThat(world.dials.dials()).doesNotContain(blocked.address());
            assertThat(blocked.accepted()).as("connections to the blocked address").isZero();
        }
    }

    @Test
    void redirectToANameResolvingPrivateIsRefusedBeforeAnyConnection() throws Exception {
        try (ProbeListener internal = new ProbeListener(ProbeListener.Behaviour.SILENT)) {
            world.resolver.answer("a.example", PUBLIC).answer("internal.example", "10.0.0.7");
            world.upstreamAt(PUBLIC).route("10.0.0.7", 8080, internal.address());
            world.upstream.enqueue(ScriptedUpstream.Reply.redirect(302, "http://internal.example:8080/"));

            FetchBlockedException e = catchThrowableOfType(FetchBlockedException.class, () -> world.fetch().build().fetch("https://a.example/start"));

            assertThat(e).hasMessage(SsrfBlockedException.BLOCKED_RESOLVED);
            assertThat(e.reason()).isEqualTo(Reason.IP_PRIVATE);
            assertThat(world.resolver.calls()).containsExactly("a.example", "internal.example");
            assertThat(internal.accepted()).isZero();
            assertThat(world.remapped()).noneMatch(a -> a.getPort() == 8080);
        }
    }

    @Test
    void dnsRebindingBetweenHopsIsCaughtOnTheSecondHop() throws Exception {
        try (ProbeListener rebound = new ProbeListener(ProbeListener.Behaviour.SILENT)) {
            world.resolver.answerInTurn("rebinding.example", List.of(List.of(PUBLIC), List.of("127.0.0.1")));
            world.upstreamAt(PUBLIC).route("127.0.0.1", 443, rebound.address());
            world.upstream.enqueue(ScriptedUpstream.Reply.redirect(302, "/next"), ScriptedUpstream.Reply.ok("never"));

            FetchBlockedException e = catchThrowableOfType(FetchBlockedException.class, () -> world.fetch().build().fetch("https://rebinding.example/start"));

            assertThat(e).hasMessage(SsrfBlockedException.BLOCKED_RESOLVED);
            assertThat(e.reason()).isEqualTo(Reason.IP_LOOPBACK);
            assertThat(world.resolver.calls()).as("each hop resolves afresh").containsExactly("rebinding.example", "rebinding.example");
            assertThat(world.upstream.requests()).hasSize(1);
            assertThat(rebound.accepted()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {PUBLIC + ",10.0.0.1", "10.0.0.1," + PUBLIC, PUBLIC + ",fd00::1", PUBLIC + ",::ffff:169.254.169.254"})
    void aMixedPublicAndPrivateAnswerIsRefusedWhole(String answers) throws Exception {
        world.resolver.answer("mixed.example", answers.split(","));
        world.upstreamAt(PUBLIC).upstream.enqueue(ScriptedUpstream.Reply.ok("never"));

        assertThatThrownBy(() -> world.fetch().build().fetch("http://mixed.example/"))
                .isInstanceOf(FetchBlockedException.class).hasMessage(SsrfBlockedException.BLOCKED_RESOLVED);
        assertThat(world.upstream.requests()).isEmpty();
        assertThat(world.dials.dials()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://b.example/next", "https://a.example:8443/next", "http://a.example/next"})
    void aCrossOriginRedirectDropsCredentials(String location) throws Exception {
        world.resolver.answer("a.example", PUBLIC).answer("b.example", PUBLIC);
        world.upstreamAt(PUBLIC).route(PUBLIC, 8443, world.upstream.httpsAddress());
        world.upstream.enqueue(ScriptedUpstream.Reply.redirect(302, location), ScriptedUpstream.Reply.ok("done"));

        FetchResult result = world.fetch().build().fetch(FetchRequest.builder("https://a.example/start")
                .header("Authorization", "Bearer secret").header("Cookie", "session=abc")
                .header("Proxy-Authorization", "Basic c2VjcmV0").header("Accept", "text/plain").build());

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.finalUrl()).isEqualTo(location);
        ScriptedUpstream.Recorded first = world.upstream.requests().get(0);
        ScriptedUpstream.Recorded second = world.upstream.requests().get(1);
        assertThat(first.header("authorization")).contains("Bearer secret");
        assertThat(second.header("authorization")).isEmpty();
        assertThat(second.header("cookie")).isEmpty();
        assertThat(second.header("proxy-authorization")).isEmpty();
        assertThat(second.header("accept")).contains("text/plain");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/next", "https://a.example/next", "https://A.EXAMPLE:443/next", "next"})
    void aSameOriginRedirectKeepsCredentials(String location) throws Exception {
        world.resolver.answer("a.example", PUBLIC);
        world.upstreamAt(PUBLIC).upstream.enqueue(ScriptedUpstream.Reply.redirect(302, location), ScriptedUpstream.Reply.ok("done"));

        FetchResult result = world.fetch().build().fetch(FetchRequest.builder("https://a.example/start")
                .header("Authorization", "Bearer secret").header("Cookie", "session=abc")
                .header("Proxy-Authorization", "Basic c2VjcmV0").build());

        assertThat(result.finalUrl()).isEqualTo("https://a.example/next");
        ScriptedUpstream.Recorded second = world.upstream.requests().get(1);
        assertThat(second.target()).isEqualTo("/next");
        assertThat(second.header("authorization")).contains("Bearer secret");
        assertThat(second.header("cookie")).contains("session=abc");
        assertThat(second.header("proxy-authorization")).contains("Basic c2VjcmV0");
    }

    @Test
    void aBodyOverTheCapIsRefusedWhetherOrNotItsLengthIsAnnounced() throws Exception {
        world.resolver.answer("a.example", PUBLIC);
        byte[] over = new byte[1025];
        Arrays.fill(over, (byte) 'x');
        world.upstreamAt(PUBLIC).upstream.enqueue(
                new ScriptedUpstream.Reply(200, Map.of(), over, false),
                new ScriptedUpstream.Reply(200, Map.of(), over, true));
        GuardedFetch fetch = world.fetch().maxBodyBytes(1024).build();

        for (int i = 0; i < 2; i++) {
            FetchBodyTooLargeException e = catchThrowableOfType(FetchBodyTooLargeException.class, () -> fetch.fetch("http://a.example/big"));
            assertThat(e.limit()).isEqualTo(1024);
            assertThat(e).hasMessage("Response body from http://a.example:80 exceeds maxBodyBytes: 1024");
        }
        assertThat(world.upstream.requests()).hasSize(2);
    }

    @Test
    void aBodyExactlyAtTheCapIsReturnedWhole() throws Exception {
        world.resolver.answer("a.example", PUBLIC);
        byte[] exact = new byte[1024];
        Arrays.fill(exact, (byte) 'y');
        world.upstreamAt(PUBLIC).upstream.enqueue(new ScriptedUpstream.Reply(200, Map.of(), exact, true));

        FetchResult result = world.fetch().maxBodyBytes(1024).build().fetch("http://a.example/exact");

        assertThat(result.body()).isEqualTo(exact);
    }

    @Test
    void aServerThatNeverAnswersHitsTheReadTimeout() throws Exception {
        try (ProbeListener silent = new ProbeListener(ProbeListener.Behaviour.SILENT)) {
            world.resolver.answer("slow.example", PUBLIC);
            world.route(PUBLIC, 80, silent.address());
            GuardedFetch fetch = world.fetch().readTimeout(Duration.ofMillis(300)).overallTimeout(Duration.ofSeconds(10)).build();

            long start = System.nanoTime();
            FetchTimeoutException e = catchThrowableOfType(FetchTimeoutException.class, () -> fetch.fetch("http://slow.example/"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(e.phase()).isEqualTo(FetchTimeoutException.Phase.READ);
            assertThat(e).hasMessage("Timed out waiting for http://slow.example:80 (readTimeout: PT0.3S)");
            assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
            assertThat(silent.accepted()).isEqualTo(1);
        }
    }

    @Test
    void aServerThatDribblesHitsTheOverallTimeout() throws Exception {
        try (ProbeListener dribbling = new ProbeListener(ProbeListener.Behaviour.DRIBBLE)) {
            world.resolver.answer("slow.example", PUBLIC);
            world.route(PUBLIC, 80, dribbling.address());
            GuardedFetch fetch = world.fetch().readTimeout(Duration.ofSeconds(2)).overallTimeout(Duration.ofMillis(600)).build();

            long start = System.nanoTime();
            FetchTimeoutException e = catchThrowableOfType(FetchTimeoutException.class, () -> fetch.fetch("http://slow.example/"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(e.phase()).isEqualTo(FetchTimeoutException.Phase.OVERALL);
            assertThat(e.limit()).isEqualTo(Duration.ofMillis(600));
            assertThat(took).isBetween(Duration.ofMillis(550), Duration.ofSeconds(3));
        }
    }

    @Test
    void aListenerThatNeverCompletesTheHandshakeHitsTheConnectTimeout() throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = (InetSocketAddress) full.getLocalSocketAddress();
            world.dials.allow(address);
            // Never accepted: once the accept queue is full, the kernel drops further SYNs.
            boolean queueFull = false;
            for (int i = 0; i < 16 && !queueFull; i++) {
                Socket s = world.dials.createSocket();
                fillers.add(s);
                try {
                    s.connect(address, 200);
                } catch (SocketTimeoutException e) {
                    queueFull = true;
                }
            }
            assumeTrue(queueFull, "this kernel completes every loopback handshake");
            world.resolver.answer("stuck.example", PUBLIC);
            world.route(PUBLIC, 80, address);
            GuardedFetch fetch = world.fetch().connectTimeout(Duration.ofMillis(300)).overallTimeout(Duration.ofSeconds(10)).build();

            long start = System.nanoTime();
            FetchTimeoutException e = catchThrowableOfType(FetchTimeoutException.class, () -> fetch.fetch("http://stuck.example/"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(e.phase()).isEqualTo(FetchTimeoutException.Phase.CONNECT);
            assertThat(e).hasMessage("Timed out connecting to http://stuck.example:80 (connectTimeout: PT0.3S)");
            assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    @Test
    void aRefusedConnectionIsAConnectionError() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = (InetSocketAddress) s.getLocalSocketAddress();
        }
        world.resolver.answer("down.example", PUBLIC);
        world.route(PUBLIC, 80, closed);

        FetchConnectionException e = catchThrowableOfType(FetchConnectionException.class, () -> world.fetch().connectTimeout(Duration.ofSeconds(2)).build().fetch("http://down.example/"));

        assertThat(e).hasMessageStartingWith("Request to http://down.example:80 failed: ");
        assertThat(e.upstreamRequests()).isEqualTo(1);
    }

    @Test
    void aRedirectLoopIsDetected() throws Exception {
        world.resolver.answer("a.example", PUBLIC);
        world.upstreamAt(PUBLIC).upstream.enqueue(ScriptedUpstream.Reply.redirect(302, "/a"),
                ScriptedUpstream.Reply.redirect(302, "/b"), ScriptedUpstream.Reply.redirect(302, "/a"));

        FetchRedirectException e = catchThrowableOfType(FetchRedirectException.class, () -> world.fetch().build().fetch("https://a.example/start"));

        assertThat(e).hasMessage("Redirect loop detected");
        assertThat(e.problem()).isEqualTo(FetchRedirectException.Problem.LOOP);
        assertThat(world.upstream.summary()).containsExactly("https GET /start", "https GET /a", "https GET /b");
    }

    @Test
    void theSameUrlWithAnotherMethodIsNoLoop() throws Exception {
        world.resolver.answer("a.example", PUBLIC);
        world.upstreamAt(PUBLIC).upstream.enqueue(ScriptedUpstream.Reply.redirect(303, "/form"), ScriptedUpstream.Reply.ok("ok"));

        FetchResult result = world.fetch().build().fetch(FetchRequest.builder("https://a.example/form").method("POST")
                .header("Content-Type", "text/plain").body("a=1".getBytes(StandardCharsets.UTF_8)).build());

        assertThat(result.status()).isEqualTo(200);
        assertThat(world.upstream.summary()).containsExactly("https POST /form", "https GET /form");
        assertThat(world.upstream.requests().get(0).bodyText()).isEqualTo("a=1");
        assertThat(world.upstream.requests().get(1).header("content-type")).isEmpty();
    }

    @Test
    void theRoutingProxyGetsTheNameAndNoLocalDnsHappens() throws Exception {
        try (TunnelProxy proxy = new TunnelProxy(world.dials, line -> world.upstream.httpAddress())) {
            world.dials.allow(proxy.address());
            world.upstream.enqueue(ScriptedUpstream.Reply.ok("via proxy"));
            GuardedFetch fetch = world.fetch().routingProxy("http://127.0.0.1:" + proxy.address().getPort()).build();

            FetchResult result = fetch.fetch("http://rebind.example/x?y=1");

            assertThat(result.bodyText()).isEqualTo("via proxy");
            assertThat(proxy.requestLines()).containsExactly("GET http://rebind.example/x?y=1 HTTP/1.1");
            assertThat(world.resolver.calls()).as("the proxy resolves; we do not").isEmpty();
            assertThat(world.remapped()).allSatisfy(a -> assertThat(a).isEqualTo(proxy.address()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data",
            "http://metadata.google.internal/", "http://0x7f000001/", "https://[::1]/"})
    void theRoutingProxyModeStillAppliesHostRulesFirst(String url) throws Exception {
        try (TunnelProxy proxy = new TunnelProxy(world.dials, line -> world.upstream.httpAddress())) {
            world.dials.allow(proxy.address());
            GuardedFetch fetch = world.fetch().routingProxy("http://127.0.0.1:" + proxy.address().getPort()).build();

            assertThatThrownBy(() -> fetch.fetch(url)).isInstanceOf(FetchBlockedException.class)
                    .hasMessage(SsrfBlockedException.BLOCKED_HOST);
            assertThat(proxy.requestLines()).isEmpty();
            assertThat(world.dials.dials()).isEmpty();
        }
    }

    @Test
    void theRoutingProxyModeAppliesTheHostnameAllowlist() throws Exception {
        try (TunnelProxy proxy = new TunnelProxy(world.dials, line -> world.upstream.httpAddress())) {
            world.dials.allow(proxy.address());
            GuardedFetch fetch = world.fetch().policy(GuardPolicy.defaults().withHostnameAllowlist(List.of("*.corp.example")))
                    .routingProxy("http://127.0.0.1:" + proxy.address().getPort()).build();

            assertThatThrownBy(() -> fetch.fetch("http://evil.example/")).isInstanceOf(FetchBlockedException.class)
                    .hasMessageStartingWith("Domain policy: Blocked hostname (not in allowlist): evil.example.");
            assertThat(proxy.requestLines()).isEmpty();
        }
    }

    @Test
    void theExplicitProxyModeChecksTheTargetsAnswersToo() throws Exception {
        try (TunnelProxy proxy = new TunnelProxy(world.dials, line -> world.upstream.httpsAddress())) {
            world.resolver.answer("proxy.corp", "10.9.9.9").answer("a.example", "10.1.2.3");
            world.route("10.9.9.9", 3128, proxy.address());
            GuardedFetch fetch = world.fetch().explicitProxy("http://proxy.corp:3128", true).build();

            assertThatThrownBy(() -> fetch.fetch("https://a.example/")).isInstanceOf(FetchBlockedException.class)
                    .hasMessage(SsrfBlockedException.BLOCKED_RESOLVED);
            assertThat(world.resolver.calls()).containsExactly("proxy.corp", "a.example");
            assertThat(proxy.requestLines()).isEmpty();
        }
    }

    @Test
    void anUnknownHostIsAResolveError() {
        FetchResolveException e = catchThrowableOfType(FetchResolveException.class, () -> world.fetch().build().fetch("https://nowhere.example/"));

        assertThat(e).hasMessage("Unable to resolve hostname: nowhere.example");
        assertThat(e.host()).isEqualTo("nowhere.example");
        assertThat(world.dials.dials()).isEmpty();
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutEchoingThem() throws Exception {
        world.resolver.answer("a.example", PUBLIC);
        world.upstreamAt(PUBLIC);

        assertThatThrownBy(() -> world.fetch().build().fetch("https://user:hunter2@a.example/"))
                .isInstanceOf(InvalidFetchUrlException.class)
                .hasMessage("URL must not include credentials: https://a.example:443")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThat(world.upstream.requests()).isEmpty();
    }

    @Test
    void resultsAndRequestsNeverShowBodiesQueriesOrHeaderValues() throws Exception {
        world.resolver.answer("a.example", PUBLIC);
        world.upstreamAt(PUBLIC).upstream.enqueue(ScriptedUpstream.Reply.ok("top-secret-body").withHeader("Set-Cookie", "sid=s3cret"));
        FetchRequest request = FetchRequest.builder("https://a.example/p?token=s3cret").method("POST")
                .header("Authorization", "Bearer s3cret").body("s3cret".getBytes(StandardCharsets.UTF_8)).build();

        FetchResult result = world.fetch().build().fetch(request);

        assertThat(result.headers().first("set-cookie")).contains("sid=s3cret");
        assertThat(result.finalUrl()).contains("token=s3cret");
        assertThat(result.toString()).doesNotContain("s3cret", "top-secret-body").contains("https://a.example:443", "200");
        assertThat(request.toString()).doesNotContain("s3cret").contains("POST", "authorization");
        assertThat(result.headers().toString()).doesNotContain("s3cret").contains("set-cookie");
    }

    @Test
    void builderSettingsAreValidatedAndCopiedNotShared() {
        assertThatThrownBy(() -> GuardedFetch.builder().maxRedirects(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRedirects: -1 (expected: >= 0)");
        assertThatThrownBy(() -> GuardedFetch.builder().connectTimeout(Duration.ZERO)).hasMessage("connectTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> GuardedFetch.builder().maxBodyBytes(0)).hasMessage("maxBodyBytes: 0 (expected: > 0)");
        assertThatThrownBy(() -> GuardedFetch.builder().routingProxy("https://127.0.0.1:3128"))
                .hasMessage("routingProxy: \"https://127.0.0.1:3128\" (expected: an http:// forward proxy URL)");
        assertThatThrownBy(() -> GuardedFetch.builder().explicitProxy("https://proxy.example:8443", false))
                .hasMessageContaining("expected: http://");

        GuardedFetch original = GuardedFetch.builder().maxRedirects(5).build();
        GuardedFetch changed = original.newBuilder().maxRedirects(0).requireHttps(true).build();
        assertThat(original.maxRedirects()).isEqualTo(5);
        assertThat(original.requireHttps()).isFalse();
        assertThat(changed.maxRedirects()).isZero();
        assertThat(changed.requireHttps()).isTrue();
        assertThat(GuardedFetch.builder().build().maxRedirects()).isEqualTo(GuardedFetch.DEFAULT_MAX_REDIRECTS);
    }

    @Test
    void requireHttpsAppliesToRedirectTargetsToo() throws Exception {
        world.resolver.answer("a.example", PUBLIC);
        world.upstreamAt(PUBLIC).upstream.enqueue(ScriptedUpstream.Reply.redirect(301, "http://a.example/plain"));

        assertThatThrownBy(() -> world.fetch().requireHttps(true).build().fetch("https://a.example/start"))
                .isInstanceOf(InvalidFetchUrlException.class).hasMessage("URL must use https");
        assertThat(world.upstream.requests()).hasSize(1);
    }
}
