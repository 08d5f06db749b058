package dev.egressguard.core.classify;

import dev.egressguard.core.net.IpRange;
import java.util.Objects;

/** An operator-added denied range with the id of the rule that added it ({@code deny.ranges[0]}). */
public record DeniedRange(IpRange range, String rule) {
    public DeniedRange {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(rule, "rule");
    }
}
