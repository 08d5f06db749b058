package dev.egressguard.server.audit;

import java.io.Writer;

/** A {@link Writer} appending to a {@link StringBuilder}: no lock, no copy, nothing to flush or close. */
final class StringBuilderWriter extends Writer {
    private final StringBuilder text;

    StringBuilderWriter(StringBuilder text) {
        this.text = text;
    }

    @Override
    public void write(char[] chars, int offset, int length) {
        text.append(chars, offset, length);
    }

    @Override
    public void write(int c) {
        text.append((char) c);
    }

    @Override
    public void write(String s, int offset, int length) {
        text.append(s, offset, offset + length);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
