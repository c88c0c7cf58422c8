package dev.closewait.report;

import java.util.Locale;

/** Short human durations for reports: 850ms, 5.0s, 3m12s, 2h05m. */
public final class Durations {

    private Durations() {
    }

    public static String human(long nanos) {
        long millis = Math.max(0, nanos / 1_000_000L);
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            // Truncated like the other units; rounding showed 59,950ms and up as "60.0s".
            return millis / 1000 + "." + millis % 1000 / 100 + "s";
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
    }
}
