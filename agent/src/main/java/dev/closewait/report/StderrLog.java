package dev.closewait.report;

import dev.closewait.text.SafeText;

import java.time.Instant;

/** Text reports on standard error, for applications without SLF4J. */
public final class StderrLog implements AppLog {

    @Override
    public void warn(String message) {
        print("WARN ", message);
    }

    @Override
    public void info(String message) {
        print("INFO ", message);
    }

    private static void print(String level, String message) {
        // The application's current System.err, so redirections it made are respected.
        // Host-controlled names in the message are escaped where they are put in; this is the last defence
        // against an ESC sequence reaching the terminal.
        System.err.println(Instant.now() + " " + level + "[closewait] " + SafeText.escapeKeepingLines(message));
    }
}
