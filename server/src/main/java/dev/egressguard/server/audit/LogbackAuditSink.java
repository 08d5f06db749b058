package dev.egressguard.server.audit;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Audit events as JSON lines through logback: standard output by default, or a file that rolls
 * daily and at 100 MiB (30 days kept). The {@code egressguard.audit} logger does not propagate, so
 * audit lines never mix with diagnostics and diagnostics never reach the audit file.
 */
public final class LogbackAuditSink implements AuditSink {
    public static final String LOGGER = "egressguard.audit";

    private final ch.qos.logback.classic.Logger logger;

    private LogbackAuditSink(ch.qos.logback.classic.Logger logger) {
        this.logger = logger;
    }

    /** A sink writing to {@code file}, or to standard output when {@code file} is null. */
    public static LogbackAuditSink create(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger logger = context.getLogger(LOGGER);
        logger.detachAndStopAllAppenders();
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender;
        if (file == null) {
            ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.out");
            appender = console;
        } else {
            RollingFileAppender<ch.qos.logback.classic.spi.ILoggingEvent> rolling = new RollingFileAppender<>();
            rolling.setFile(file.toString());
            SizeAndTimeBasedRollingPolicy<ch.qos.logback.classic.spi.ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
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
        appender.setName("egressguard-audit-out");
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.start();
        // Writes happen on logback's worker thread, never on a Netty event loop. Nothing is
        // dropped: when the queue is full, emitting waits (back-pressure) instead of discarding.
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("egressguard-audit");
        async.setQueueSize(16_384);
        async.setDiscardingThreshold(0);
        async.setNeverBlock(false);
        async.setMaxFlushTime(5_000);
        async.addAppender(appender);
        async.start();
        logger.addAppender(async);
        return new LogbackAuditSink(logger);
    }

    @Override
    public void emit(AuditEvent event) {
        logger.info(event.toJson());
    }

    /** Writes out queued events and stops the appenders (at shutdown). */
    public void close() {
        logger.detachAndStopAllAppenders();
    }
}
