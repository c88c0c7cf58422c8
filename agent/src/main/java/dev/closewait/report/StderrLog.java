package dev.closewait.report;

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
        System.err.println(Instant.now() + " " + level + "[closewait] " + message);
    }
}
