package dev.egressguard.client.fetch;

import dev.egressguard.client.fetch.FetchTimeoutException.Phase;
import dev.egressguard.core.guard.SsrfBlockedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Failure translation, in one place: what went wrong under a guarded fetch as the
 * {@link GuardedFetchException} its caller sees. The guard's refusals and names without answers
 * keep their (OpenClaw) messages; an I/O failure of a hop (connect, request, response or body) is
 * judged by what had passed: the overall deadline, else a connect or read timeout (by whether the
 * call got a connection), else a connection failure.
 */
final class FetchFailures {
    private FetchFailures() {}

    static FetchBlockedException blocked(SsrfBlockedException e, String host, int requests) {
        return new FetchBlockedException(e, host, requests);
    }

    static FetchResolveException unresolved(UnknownHostException e, String host, int requests) {
        return new FetchResolveException(e.getMessage(), host, requests);
    }

    /** The whole fetch ran past {@code overallTimeout}; {@code cause} may be {@code null}. */
    static FetchTimeoutException overallTimeout(FetchOptions options, HopTarget target, IOException cause, int requests) {
        return new FetchTimeoutException(Phase.OVERALL, options.overallTimeout(), target.origin(), cause, requests);
    }

    /**
     * @param connected whether the call got a connection before {@code e}
     * @param started   {@link System#nanoTime()} when the fetch began
     */
    static GuardedFetchException fromIo(IOException e, HopTarget target, boolean connected, FetchOptions options,
                                        long started, int requests) {
        boolean overallPassed = System.nanoTime() - started >= options.overallTimeout().toNanos();
        boolean callTimedOut = e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)
                && "timeout".equals(e.getMessage());
        if (overallPassed || callTimedOut) {
            return overallTimeout(options, target, e, requests);
        }
        if (e instanceof SocketTimeoutException) {
            return connected
                    ? new FetchTimeoutException(Phase.READ, options.readTimeout(), target.origin(), e, requests)
                    : new FetchTimeoutException(Phase.CONNECT, options.connectTimeout(), target.origin(), e, requests);
        }
        return new FetchConnectionException(target.origin(), e, requests);
    }
}
