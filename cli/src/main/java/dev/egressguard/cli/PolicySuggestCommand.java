package dev.egressguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code egressguard policy suggest AUDIT.jsonl…}: the destinations block that would allow what the logs show. */
@Command(name = "suggest", mixinStandardHelpOptions = true,
        description = {"Read audit logs (JSON lines, .gz too; '-' for stdin) and print, per identity, the destinations block",
                "that would allow what was seen: decisions with verdict allow, and would_deny for dest.*/approval.* reasons",
                "(run a week in mode: report first). Destinations the denylist denied (ip.*, host.*) are listed as comments,",
                "never as allows. Malformed lines are counted on stderr and skipped.",
                "Exit status: 0, or 2 when a file cannot be read."})
final class PolicySuggestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "<audit.jsonl>", arity = "1..*", description = "Audit log files, plain or gzip; '-' reads stdin.")
    List<String> files;

    @Option(names = "--wildcard-at", paramLabel = "<n>", defaultValue = "3",
            description = "Names with the same parent that become *.parent (default: ${DEFAULT-VALUE}).")
    int wildcardAt;

    @Option(names = "--max-destinations", paramLabel = "<n>", defaultValue = "10000",
            description = "Distinct destinations kept per identity; requests past it are counted, not listed (default: ${DEFAULT-VALUE}).")
    int maxDestinations;

    @Override
    public Integer call() {
        if (wildcardAt < 2 || maxDestinations < 1) {
            throw new InputException("policy suggest: --wildcard-at must be at least 2 and --max-destinations at least 1");
        }
        for (String f : files) {
            if (!f.equals("-") && !Files.isReadable(Path.of(f))) {
                throw new InputException("policy suggest: cannot read " + f);
            }
        }
        AuditTally tally = new AuditTally(maxDestinations);
        PrintWriter err = spec.commandLine().getErr();
        long lines = 0;
        for (String f : files) {
            lines += read(f, tally, err);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("# egressguard policy suggest: " + files.size() + (files.size() == 1 ? " log, " : " logs, ") + lines + " lines, "
                + tally.decisions() + " decision events");
        out.println("# Allows what each identity reached (allow) or would have been refused (would_deny, mode: report).");
        out.println("# Wildcards: " + wildcardAt + " or more names under one parent; ports written unless 80/443. Review before use.");
        if (!tally.skipped().isEmpty()) {
            out.println("# not used: " + DestinationsSuggestion.summary(tally.skipped()));
        }
        out.print(DestinationsSuggestion.render(tally, wildcardAt));
        out.flush();
        err.flush();
        return ExitCodes.OK;
    }

    /** Tallies one log; returns its line count. Problems go to stderr; none stops the command. */
    private long read(String file, AuditTally tally, PrintWriter err) {
        long[] counts = new long[3]; // lines, malformed, first malformed line
        AuditLines.Sink sink = new AuditLines.Sink() {
            @Override
            public void line(byte[] line, int length) {
                counts[0]++;
                if (!tally.accept(line, length)) {
                    malformed();
                }
            }

            @Override
            public void overLong() {
                counts[0]++;
                malformed();
            }

            private void malformed() {
                if (counts[1]++ == 0) {
                    counts[2] = counts[0];
                }
            }
        };
        boolean complete;
        try (InputStream in = file.equals("-") ? nonClosing(System.in) : Files.newInputStream(Path.of(file))) {
            complete = AuditLines.read(in, sink);
        } catch (IOException e) {
            err.println("policy suggest: " + file + ": read failed after " + counts[0] + " lines (" + e.getClass().getSimpleName() + ")");
            return counts[0];
        }
        String name = file.equals("-") ? "stdin" : file;
        if (counts[1] > 0) {
            err.println("policy suggest: " + name + ": " + counts[1] + " malformed line" + (counts[1] == 1 ? "" : "s")
                    + " skipped (first at line " + counts[2] + ")");
        }
        if (!complete) {
            err.println("policy suggest: " + name + ": the gzip stream ends early; read " + counts[0] + " lines");
        }
        return counts[0];
    }

    private static InputStream nonClosing(InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                // stdin stays open
            }
        };
    }
}
