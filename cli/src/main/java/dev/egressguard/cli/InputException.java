package dev.egressguard.cli;

/** Bad input to a command (not a usage error): an unreadable file, an empty target. Exit 2. */
final class InputException extends RuntimeException {
    InputException(String message) {
        super(message);
    }
}
