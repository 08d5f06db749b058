package dev.egressguard.config;

/** Something valid but probably unintended in a policy file, at a path ({@code allow[2]}). */
public record LintWarning(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
