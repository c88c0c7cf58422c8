package dev.closewait.core;

/**
 * An immutable snapshot of a leaked socket at the moment it was reported: everything a report shows.
 * Times are monotonic nanos; {@code *EpochMillis} are the same instants in wall time.
 */
public record Leak(
        LeakKind kind,
        long id,
        SocketType type,
        boolean accepted,
        Endpoints endpoints,
        String openThread,
        long openedNanos,
        long openedEpochMillis,
        CallSite allocation,
        EndOfStream endOfStream,
        long endOfStreamEpochMillis,
        long detectedNanos,
        long detectedEpochMillis) {

    public boolean hasEndOfStream() {
        return endOfStream != null;
    }

    /** The thread a reader most wants: the one that read EOF, else the one that opened the socket. */
    public String thread() {
        return endOfStream != null ? endOfStream.thread() : openThread;
    }

    public long ageNanos() {
        return detectedNanos - openedNanos;
    }

    public long sinceEndOfStreamNanos() {
        return endOfStream == null ? -1 : detectedNanos - endOfStream.nanoTime();
    }

    /** "accepted" for server-side sockets, "client" for sockets the application connected. */
    public String role() {
        return accepted ? "accepted" : "client";
    }
}
