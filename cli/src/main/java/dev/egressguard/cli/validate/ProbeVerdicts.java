package dev.egressguard.cli.validate;

import java.util.Optional;

/**
 * Turns a proxy's answer, and for loopback probes what the canary saw, into a verdict. The
 * canary is the authority: a connection is a leak whatever the proxy said, and "not reached" is
 * only proof where the canary listened on every address the destination can land on.
 */
public final class ProbeVerdicts {
    private ProbeVerdicts() {}

    public static ProbeResult judge(Probe probe, ProxyAnswer answer, Optional<CanaryEvidence> evidence) {
        switch (probe.landing()) {
            case CANARY:
                return canary(probe, answer, evidence.orElseThrow(() -> new IllegalArgumentException("probe: " + probe.id() + " (no canary evidence)")));
            case REMOTE:
                return remote(probe, answer);
            default:
                return publicDestination(probe, answer);
        }
    }

    private static final String CREDENTIALS = "the proxy asks for credentials (407): its policy was not tested; pass --proxy http://user:pass@host:port";

    private static ProbeResult canary(Probe probe, ProxyAnswer a, CanaryEvidence e) {
        String where = String.join(" ", e.listening());
        if (e.hit()) {
            String what = e.tokenSeen() ? "the run token" : e.connections() + " connection(s) without the token (the proxy rewrote the request)";
            return result(probe, ProbeVerdict.LEAK, a, "canary " + e.reachedAt().orElse(where) + " received " + what);
        }
        if (a.needsCredentials()) {
            return result(probe, ProbeVerdict.NOT_PROVEN, a, CREDENTIALS);
        }
        if (a.isSuccess()) {
            return result(probe, ProbeVerdict.NOT_PROVEN, a, "the proxy reported success (" + answered(a) + ") but no canary saw a connection");
        }
        if (a.isDenial()) {
            return result(probe, ProbeVerdict.BLOCKED, a, "refused by the proxy; canary untouched");
        }
        if (!e.covered()) {
            return result(probe, ProbeVerdict.NOT_PROVEN, a, answered(a) + "; the canary could not listen where this lands (listened on " + where + ")");
        }
        return result(probe, ProbeVerdict.BLOCKED, a, "not reached: " + answered(a) + "; canary untouched");
    }

    private static ProbeResult remote(Probe probe, ProxyAnswer a) {
        if (a.needsCredentials()) {
            return result(probe, ProbeVerdict.NOT_PROVEN, a, CREDENTIALS);
        }
        if (a.isSuccess()) {
            String what = a.established() ? "the proxy opened a tunnel" : "the proxy fetched it (" + a.status() + ")";
            return result(probe, ProbeVerdict.LEAK, a, what);
        }
        if (a.isDenial()) {
            return result(probe, ProbeVerdict.BLOCKED, a, "refused by the proxy");
        }
        return result(probe, ProbeVerdict.NOT_PROVEN, a, answered(a) + ", not a denial: the proxy may have tried");
    }

    private static ProbeResult publicDestination(Probe probe, ProxyAnswer a) {
        if (a.isSuccess()) {
            return result(probe, ProbeVerdict.PASSED, a, a.note().orElse("the proxy answered " + a.status()));
        }
        if (a.isDenial()) {
            return result(probe, ProbeVerdict.NOT_PROVEN, a, "the proxy refused a public destination: a proxy that refuses everything proves nothing");
        }
        return result(probe, ProbeVerdict.SKIPPED, a, "did not complete (" + answered(a) + "): no route out from here?");
    }

    private static String answered(ProxyAnswer a) {
        return a.failure().orElse("the proxy answered " + a.status());
    }

    private static ProbeResult result(Probe probe, ProbeVerdict v, ProxyAnswer a, String detail) {
        String note = v == ProbeVerdict.PASSED ? "" : a.note().map(n -> "; " + n).orElse("");
        return new ProbeResult(probe, v, Optional.of(a), detail + note);
    }
}
