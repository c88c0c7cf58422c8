package dev.closewait.core;

/** What became of a socket after it was reported. */
public record LeakOutcome(Leak leak, Kind kind, long atNanos, long atEpochMillis, String thread) {

    public enum Kind {
        /** The application called close() after all. */
        CLOSED,
        /** It became unreachable without close(). */
        COLLECTED
    }

    public long leakedForNanos() {
        return atNanos - leak.detectedNanos();
    }
}
