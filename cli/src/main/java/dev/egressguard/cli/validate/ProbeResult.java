package dev.egressguard.cli.validate;

import java.util.Objects;
import java.util.Optional;

/** A probe, its verdict, the proxy's answer (absent when it was not sent) and the evidence in words. */
public record ProbeResult(Probe probe, ProbeVerdict verdict, Optional<ProxyAnswer> answer, String detail) {
    public ProbeResult {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(detail, "detail");
    }

    static ProbeResult skipped(Probe probe, String why) {
        return new ProbeResult(probe, ProbeVerdict.SKIPPED, Optional.empty(), why);
    }
}
