package dev.egressguard.server.approval;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How approvals reach the approver: one JDK {@link HttpClient} for the proxy's lifetime, with no
 * proxy (never the proxy itself, whatever the JVM's proxy settings), no redirects, HTTP/1.1, and
 * two daemon threads of its own that also run the approvals' deadlines. Nothing here runs on an
 * event loop. Shared by every policy generation's {@link ApprovalClient}; closed with the proxy.
 */
public final class ApprovalTransport implements AutoCloseable {
    /** Largest answer read; a longer one is an error. */
    static final int MAX_ANSWER_BYTES = 16 * 1024;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;
    private final HttpClient http;

    public ApprovalTransport() {
        this.executor = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "egressguard-approvals-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.http = HttpClient.newBuilder()
                .executor(executor)
                .proxy(HttpClient.Builder.NO_PROXY)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** POSTs a JSON body; the future fails on I/O errors and on an answer over {@link #MAX_ANSWER_BYTES}. */
    CompletableFuture<HttpResponse<byte[]>> post(URI url, byte[] json, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", "egressguard-approvals")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        return http.sendAsync(request, info -> new BoundedBody(MAX_ANSWER_BYTES));
    }

    /** Runs {@code task} after {@code delay} on this transport's threads. */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** An answer too long to be one. */
    static final class AnswerTooLargeException extends RuntimeException {
        AnswerTooLargeException() {
            super("answer larger than " + MAX_ANSWER_BYTES + " bytes", null, false, false);
        }
    }

    /** Collects a body up to a limit; past it, cancels the exchange and fails. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final List<ByteBuffer> parts = new ArrayList<>();
        private int size;
        private Flow.Subscription subscription;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                size += b.remaining();
                parts.add(b);
            }
            if (size > limit) {
                parts.clear();
                subscription.cancel();
                result.completeExceptionally(new AnswerTooLargeException());
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            if (result.isDone()) {
                return;
            }
            byte[] out = new byte[size];
            int at = 0;
            for (ByteBuffer b : parts) {
                int n = b.remaining();
                b.get(out, at, n);
                at += n;
            }
            result.complete(out);
        }
    }
}
