package dev.egressguard.cli.validate;

import dev.egressguard.core.net.TargetUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One validation: check the proxy answers, open the canaries, send every probe through a small
 * pool, give late connections a moment to land, judge, report. Every wait is bounded.
 */
public final class ValidationRun {
    static final int POOL_SIZE = 8;
    /** After the last answer, how long a late connection (a proxy that answered before dialling) may still reach a canary. */
    static final Duration SETTLE = Duration.ofMillis(300);

    /** What to validate. {@code proxyText} is what the report shows; {@code proxy} is where validate connects. */
    public record Settings(String proxyText, InetSocketAddress proxy, Scope scope, Duration timeout, Optional<String> rebindName,
                           Optional<TargetUrl> publicUrl, Optional<String> proxyAuthorization) {
        /** Without proxy credentials. */
        public Settings(String proxyText, InetSocketAddress proxy, Scope scope, Duration timeout, Optional<String> rebindName,
                        Optional<TargetUrl> publicUrl) {
            this(proxyText, proxy, scope, timeout, rebindName, publicUrl, Optional.empty());
        }

        public Settings {
            Objects.requireNonNull(proxyAuthorization, "proxyAuthorization");
            Objects.requireNonNull(proxyText, "proxyText");
            Objects.requireNonNull(proxy, "proxy");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(rebindName, "rebindName");
            Objects.requireNonNull(publicUrl, "publicUrl");
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
            }
        }
    }

    /** Told after each probe; the command draws a progress line on a terminal. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void probed(int done, int total);
    }

    private ValidationRun() {}

    public static ValidationReport run(Settings settings, Progress progress) throws IOException, InterruptedException {
        checkReachable(settings);
        List<Probe> probes = ProbeCatalog.probes(settings.scope(), settings.rebindName(), settings.publicUrl());
        int notSent = settings.scope() == Scope.LOOPBACK
                ? ProbeCatalog.probes(Scope.ALL, settings.rebindName(), settings.publicUrl()).size() - probes.size() : 0;
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        try (Canary canary = Canary.open(token, probes)) {
            List<Optional<ProxyAnswer>> answers = sendAll(settings, probes, canary, new ProbeRunner(settings.proxy(), settings.timeout(), token, settings.proxyAuthorization()), progress);
            Thread.sleep(SETTLE.toMillis());
            List<ProbeResult> results = new ArrayList<>();
            for (int i = 0; i < probes.size(); i++) {
                results.add(judge(settings, probes.get(i), answers.get(i), canary));
            }
            return new ValidationReport(settings.proxyText(), settings.scope(), settings.timeout().toMillis(), notSent, results);
        }
    }

    private static ProbeResult judge(Settings settings, Probe p, Optional<ProxyAnswer> answer, Canary canary) {
        if (!isSent(settings, p)) {
            return ProbeResult.skipped(p, "not sent: --scope loopback sends nothing that leaves this machine");
        }
        Optional<CanaryEvidence> evidence = p.usesCanary() ? Optional.of(canary.evidence(p)) : Optional.empty();
        return ProbeVerdicts.judge(p, answer.orElse(ProxyAnswer.failed("the probe did not finish in time")), evidence);
    }

    private static List<Optional<ProxyAnswer>> sendAll(Settings settings, List<Probe> probes, Canary canary, ProbeRunner runner,
                                                       Progress progress) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(POOL_SIZE, r -> {
            Thread t = new Thread(r, "validate-probe");
            t.setDaemon(true);
            return t;
        });
        List<Future<ProxyAnswer>> futures = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        int total = (int) probes.stream().filter(p -> isSent(settings, p)).count();
        for (Probe p : probes) {
            if (!isSent(settings, p)) {
                futures.add(null);
                continue;
            }
            int port = p.usesCanary() ? canary.port(p) : p.port();
            futures.add(pool.submit(() -> {
                ProxyAnswer a = runner.send(p, port);
                synchronized (done) { // counts reach the progress line in order
                    progress.probed(done.incrementAndGet(), total);
                }
                return a;
            }));
        }
        pool.shutdown();
        long rounds = (total + POOL_SIZE - 1) / POOL_SIZE + 1;
        long bound = settings.timeout().toMillis() * ProbeCatalog.REBIND_ATTEMPTS * rounds + 5_000;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(bound);
        List<Optional<ProxyAnswer>> answers = new ArrayList<>();
        for (Future<ProxyAnswer> f : futures) {
            answers.add(f == null ? Optional.empty() : await(f, deadline));
        }
        pool.shutdownNow();
        return answers;
    }

    /** In loopback scope the public URL is listed but not sent: it would leave this machine. */
    private static boolean isSent(Settings settings, Probe p) {
        return !(p.landing() == Landing.PUBLIC && settings.scope() == Scope.LOOPBACK);
    }

    private static Optional<ProxyAnswer> await(Future<ProxyAnswer> f, long deadlineNanos) throws InterruptedException {
        try {
            return Optional.of(f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException | ExecutionException e) {
            f.cancel(true);
            return Optional.empty();
        }
    }

    private static void checkReachable(Settings settings) {
        try (Socket s = new Socket()) {
            s.connect(settings.proxy(), (int) Math.max(1, settings.timeout().toMillis()));
        } catch (IOException e) {
            throw new ProxyUnreachableException("cannot reach the proxy at " + settings.proxyText() + ": " + e.getMessage());
        }
    }
}
