package dev.closewait.report;

import dev.closewait.text.SafeText;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Text reports on standard error, for applications without SLF4J: the application's current {@code System.err}, so
 * that redirections it made are respected, and when that stream throws, the one the JVM started with (given), so
 * that an application whose {@code System.err} refuses to write does not lose its reports. A stream that blocks
 * holds up this sink only: it runs on a report thread of its own ({@code IsolatedSink}).
 */
public final class StderrLog implements AppLog {

    private final PrintStream original;

    /** @param original the standard error stream the JVM had when the agent was loaded */
    public StderrLog(PrintStream original) {
        this.original = original;
    }

    @Override
    public void warn(String message) {
        print("WARN ", message);
    }

    @Override
    public void info(String message) {
        print("INFO ", message);
    }

    private void print(String level, String message) {
        // Host-controlled names in the message are escaped where they are put in; this is the last defence
        // against an ESC sequence reaching the terminal.
        String line = Instant.now() + " " + level + "[closewait] " + SafeText.escapeKeepingLines(message);
        PrintStream current = System.err;
        try {
            current.println(line);
        } catch (RuntimeException | Error refused) {
            if (current == original) {
                throw refused;
            }
            original.println(line);
        }
    }
}
