package dev.egressguard.server.audit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit events as JSON lines through logback: standard output by default, or a file that rolls
 * daily and at 100 MiB (30 days kept). The {@code egressguard.audit} logger does not propagate, so
 * audit lines never mix with diagnostics and diagnostics never reach the audit file.
 *
 * <p>An event loop only queues the event: one writer thread formats the JSON (one
 * {@link JsonGenerators} generator per batch) and hands logback everything queued at once as one
 * write, so a burst costs one system call, not one per line; a line is on disk within about a
 * millisecond. An idle writer sleeps until an event arrives (no timed wake-ups), and only the first
 * event after an idle spell wakes it; under load it writes at most once per
 * {@link #BATCH_WINDOW_NANOS}, so event loops wake no thread. Gzip of a rolled file runs on
 * logback's own executor, never on this thread or an event loop. The queue is bounded; {@link #hasCapacity()} turns false before it is full, and the
 * proxy then refuses new requests (fail closed) rather than block an event loop or let traffic
 * pass unaudited.
 */
public final class LogbackAuditSink implements AuditSink, AutoCloseable {
    public static final String LOGGER = "egressguard.audit";
    private static final Logger log = LoggerFactory.getLogger(LogbackAuditSink.class);
    private static final int CAPACITY = 65_536;
    /** Room kept for the close events of requests already decided. */
    private static final int RESERVE = 4_096;
    private static final int MAX_BATCH = 4_096;
    /** After a write, how long more events gather before the next (no thread is woken meanwhile). */
    private static final long BATCH_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ch.qos.logback.classic.Logger logger;
    private final BlockingQueue<AuditEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    /** The writer found the queue empty and parks until {@link #emit} or {@link #close} unparks it. */
    private final AtomicBoolean idle = new AtomicBoolean();
    private volatile boolean closing;

    private LogbackAuditSink(ch.qos.logback.classic.Logger logger) {
        this.logger = logger;
        this.writer = new Thread(this::writeLoop, "egressguard-audit");
        writer.setDaemon(true);
        writer.start();
    }

    /** A sink writing to {@code file}, or to standard output when {@code file} is null. */
    public static LogbackAuditSink create(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger logger = context.getLogger(LOGGER);
        logger.detachAndStopAllAppenders();
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        LineEncoder encoder = new LineEncoder();
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender;
        if (file == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.out");
            appender = console;
        } else {
            RollingFileAppender<ILoggingEvent> rolling = new RollingFileAppender<>();
            rolling.setFile(file.toString());
            SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
            policy.setContext(context);
            policy.setParent(rolling);
            policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
            policy.setMaxFileSize(FileSize.valueOf("100MB"));
            policy.setMaxHistory(30);
            policy.start();
            rolling.setRollingPolicy(policy);
            appender = rolling;
        }
        appender.setContext(context);
        appender.setName("egressguard-audit");
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.start();
        logger.addAppender(appender);
        return new LogbackAuditSink(logger);
    }

    /** Queues the event; never blocks. An event that finds the queue full is counted in {@link #dropped()}. */
    @Override
    public void emit(AuditEvent event) {
        if (queue.offer(event)) {
            if (idle.get() && idle.compareAndSet(true, false)) {
                LockSupport.unpark(writer);
            }
        } else {
            if (dropped.getAndIncrement() % 10_000 == 0) {
                log.error("audit queue full: {} event(s) dropped so far", dropped.get());
            }
        }
    }

    @Override
    public boolean hasCapacity() {
        return !closing && queue.remainingCapacity() > RESERVE;
    }

    /** Events that could not be queued (the proxy refuses requests well before this happens). */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Writes what is queued, then lets {@link #BATCH_WINDOW_NANOS} of events gather (under load one
     * write carries hundreds of lines); on an empty queue it marks itself idle and parks with no
     * timeout, so an idle proxy has no audit wake-ups.
     */
    private void writeLoop() {
        List<AuditEvent> batch = new ArrayList<>(MAX_BATCH);
        StringBuilder text = new StringBuilder(64 * 1024);
        TimestampText timestamps = new TimestampText();
        while (true) {
            boolean stopping = closing;
            try {
                if (queue.drainTo(batch, MAX_BATCH) == 0) {
                    if (stopping) {
                        return;
                    }
                    idle.set(true);
                    if (queue.isEmpty() && !closing) { // an event queued before the flag was seen wakes nobody: look again
                        LockSupport.park(this);
                    }
                    idle.set(false);
                    continue;
                }
                try (JsonGenerator g = JsonGenerators.create(new StringBuilderWriter(text))) {
                    for (AuditEvent e : batch) {
                        e.writeJson(g, timestamps);
                        g.writeRaw('\n');
                    }
                }
                logger.info(text.toString());
            } catch (IOException | RuntimeException e) {
                log.error("audit write failed: {}", e.toString());
            } finally {
                batch.clear();
                if (text.capacity() > 1 << 20) {
                    text = new StringBuilder(64 * 1024);
                } else {
                    text.setLength(0);
                }
            }
            if (!closing) {
                LockSupport.parkNanos(this, BATCH_WINDOW_NANOS);
            }
        }
    }

    /** Writes out what is queued (waiting up to 5 s) and stops the appender (at shutdown). */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logger.detachAndStopAllAppenders();
    }
}
