package dev.egressguard.server.approval;

import dev.egressguard.config.ApprovalSettings;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongSupplier;

/**
 * Asks the operator's approver about destinations an identity's rules {@code ask} about. One
 * instance per policy generation: a reload makes a new one, and with it an empty cache.
 *
 * <ul>
 *   <li><b>Never blocks.</b> {@link #ask(ApprovalRequest)} returns at once; the future completes on
 *       the {@link ApprovalTransport}'s threads (or at once, from the cache or when a bound is hit)
 *       and never exceptionally: every failure is an {@link ApprovalResult}. A Netty caller uses
 *       {@link #ask(ApprovalRequest, EventExecutor)}, whose future completes on its event loop.
 *   <li><b>One call per key.</b> Concurrent asks for the same (identity, host, port) share one call.
 *   <li><b>Answers are remembered</b> for {@code approvals.cacheFor}, allow and deny alike; timeouts
 *       and errors are not, so the next request asks again.
 *   <li><b>Bounded.</b> At most {@link #MAX_IN_FLIGHT} different keys are being asked at once; one
 *       more is {@code approval.error} at once (fail closed) and is not remembered. At most
 *       {@link #MAX_CACHED} answers are remembered; past that, the oldest are forgotten (and asked
 *       again when needed).
 *   <li><b>Deadline.</b> No answer within {@code approvals.timeout} is {@code approval.timeout}; the
 *       call is cancelled.
 * </ul>
 */
public final class ApprovalClient {
    /** Different (identity, host, port) keys being asked at once. */
    public static final int MAX_IN_FLIGHT = 256;
    /** Answers remembered at once. */
    public static final int MAX_CACHED = 10_000;

    private final ApprovalSettings settings;
    private final ApprovalTransport transport;
    private final int maxInFlight;
    private final int maxCached;
    private final LongSupplier nanoTime;
    private final long cacheForNanos;
    private final Object lock = new Object();
    private final Map<ApprovalRequest.Key, CompletableFuture<ApprovalResult>> inFlight = new HashMap<>();
    /** In the order answers arrived, so the oldest are first. */
    private final LinkedHashMap<ApprovalRequest.Key, Remembered> cache = new LinkedHashMap<>();

    private record Remembered(ApprovalResult result, long at) {}

    public ApprovalClient(ApprovalSettings settings, ApprovalTransport transport) {
        this(settings, transport, MAX_IN_FLIGHT, MAX_CACHED, System::nanoTime);
    }

    ApprovalClient(ApprovalSettings settings, ApprovalTransport transport, int maxInFlight, int maxCached, LongSupplier nanoTime) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.maxInFlight = maxInFlight;
        this.maxCached = maxCached;
        this.nanoTime = nanoTime;
        this.cacheForNanos = settings.cacheFor().toNanos();
    }

    /**
     * Asks about {@code request}, or answers from the cache. The future never fails; it completes on
     * the transport's threads, or before this returns. Hop to your own thread before touching
     * channel state.
     */
    public CompletableFuture<ApprovalResult> ask(ApprovalRequest request) {
        ApprovalRequest.Key key = request.key();
        CompletableFuture<ApprovalResult> flight;
        synchronized (lock) {
            Remembered r = cache.get(key);
            if (r != null) {
                if (nanoTime.getAsLong() - r.at() < cacheForNanos) {
                    return CompletableFuture.completedFuture(r.result().fromCache());
                }
                cache.remove(key);
            }
            flight = inFlight.get(key);
            if (flight != null) {
                return flight.copy();
            }
            if (inFlight.size() >= maxInFlight) {
                return CompletableFuture.completedFuture(ApprovalResult.error("more than " + maxInFlight + " approvals at once"));
            }
            flight = new CompletableFuture<>();
            inFlight.put(key, flight);
        }
        call(request, key, flight);
        return flight.copy();
    }

    /**
     * Asks about {@code request}; the returned future completes on {@code executor} (a channel's
     * event loop), never exceptionally.
     */
    public Future<ApprovalResult> ask(ApprovalRequest request, EventExecutor executor) {
        Promise<ApprovalResult> promise = executor.newPromise();
        ask(request).whenComplete((result, failure) -> {
            ApprovalResult r = failure == null ? result : ApprovalResult.error("internal error");
            if (executor.inEventLoop()) {
                promise.trySuccess(r);
                return;
            }
            try {
                executor.execute(() -> promise.trySuccess(r));
            } catch (RejectedExecutionException e) {
                promise.trySuccess(r); // the loop is shutting down; nobody is waiting on it
            }
        });
        return promise;
    }

    private void call(ApprovalRequest request, ApprovalRequest.Key key, CompletableFuture<ApprovalResult> flight) {
        CompletableFuture<HttpResponse<byte[]>> http;
        try {
            http = transport.post(settings.url(), ApprovalBodies.request(request), settings.timeout());
        } catch (RuntimeException e) { // e.g. the transport is closed
            finish(key, flight, ApprovalResult.error("cannot ask (" + e.getClass().getSimpleName() + ")"));
            return;
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = transport.schedule(() -> {
                if (finish(key, flight, ApprovalResult.timeout())) {
                    http.cancel(true);
                }
            }, settings.timeout());
        } catch (RejectedExecutionException e) {
            http.cancel(true);
            finish(key, flight, ApprovalResult.error("cannot ask (transport closed)"));
            return;
        }
        http.whenComplete((response, failure) -> {
            deadline.cancel(false);
            finish(key, flight, failure == null ? ApprovalBodies.answer(response.statusCode(), response.body()) : fromFailure(failure));
        });
    }

    private static ApprovalResult fromFailure(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof HttpTimeoutException) {
            return ApprovalResult.timeout();
        }
        if (t instanceof ApprovalTransport.AnswerTooLargeException) {
            return ApprovalResult.error("answer larger than " + ApprovalTransport.MAX_ANSWER_BYTES + " bytes");
        }
        if (t instanceof ConnectException) {
            return ApprovalResult.error("approver unreachable (connection refused)");
        }
        return ApprovalResult.error("approver unreachable (" + t.getClass().getSimpleName() + ")");
    }

    /** Completes a call once: the first of answer and deadline wins. Returns whether this one did. */
    private boolean finish(ApprovalRequest.Key key, CompletableFuture<ApprovalResult> flight, ApprovalResult result) {
        synchronized (lock) {
            if (!inFlight.remove(key, flight)) {
                return false;
            }
            if (result.outcome().isCacheable()) {
                cache.remove(key);
                cache.put(key, new Remembered(result, nanoTime.getAsLong()));
                trim();
            }
        }
        flight.complete(result);
        return true;
    }

    /** Forgets the oldest answers (those most likely expired) past the bound. */
    private void trim() {
        Iterator<Remembered> oldestFirst = cache.values().iterator();
        while (cache.size() > maxCached && oldestFirst.hasNext()) {
            oldestFirst.next();
            oldestFirst.remove();
        }
    }

    /** Keys being asked right now (the status page's pending approvals). */
    public int pending() {
        synchronized (lock) {
            return inFlight.size();
        }
    }

    /** Answers remembered right now, expired ones included until they are dropped. */
    public int remembered() {
        synchronized (lock) {
            return cache.size();
        }
    }

    public ApprovalSettings settings() {
        return settings;
    }
}
