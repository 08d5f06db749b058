package dev.egressguard.server.audit;

/** Audit event field names: one place, stable forever once shipped. */
public final class AuditFields {
    public static final String TS = "ts";
    public static final String EVENT = "event";
    public static final String ID = "id";
    public static final String CLIENT = "client";
    public static final String USER = "user";
    public static final String MODE = "mode";
    public static final String METHOD = "method";
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String ADDRESSES = "addresses";
    public static final String ADDRESS = "address";
    public static final String VERDICT = "verdict";
    public static final String REASON = "reason";
    public static final String RULE = "rule";
    public static final String STATUS = "status";
    public static final String ERROR = "error";
    public static final String BYTES_UP = "bytes_up";
    public static final String BYTES_DOWN = "bytes_down";
    public static final String DURATION_MS = "duration_ms";
    public static final String POLICY_GENERATION = "policy_generation";
    public static final String IDENTITY = "identity";
    public static final String APPROVAL = "approval";
    /** The decoded path of a request inside an intercepted tunnel, only with {@code audit.paths: true}; never a query. */
    public static final String PATH = "path";

    public static final String EVENT_DECISION = "decision";
    public static final String EVENT_CLOSE = "close";

    private AuditFields() {}
}
