package dev.egressguard.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as the policy file writes them: {@code 500ms}, {@code 5s}, {@code 2m}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SHAPE = Pattern.compile("([0-9]{1,9})(ms|s|m)");

    @Override
    public Duration convert(String text) {
        Matcher m = SHAPE.matcher(text.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new CommandLine.TypeConversionException("\"" + text + "\" (expected: a positive duration such as 500ms, 5s or 1m)");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            default:
                return Duration.ofMinutes(n);
        }
    }
}
