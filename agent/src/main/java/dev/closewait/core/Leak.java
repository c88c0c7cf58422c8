package dev.closewait.core;

/**
 * An immutable snapshot of a leaked socket at the moment it was reported: everything a report shows.
 * Times are monotonic nanos; {@code *EpochMillis} are the same instants in wall time, -1 where unknown.
 * {@code kernelSinceEpochMillis} is when the kernel was first seen in the state that made this a leak (CLOSE_WAIT,
 * or no connection any more), for the kernel's kinds. A socket the agent never saw opened has no allocation stack
 * and no opening thread.
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
        long detectedEpochMillis,
        long kernelSinceEpochMillis) {

    public boolean allocationKnown() {
        return allocation != null && allocation != CallSite.NOT_SAMPLED;
    }

    /**
     * When this socket's own allocation stack was not captured ({@link StackCapture}'s adaptive capture), the id of
     * the socket of the same site whose stack {@link #allocation} is; else -1.
     */
    public long allocationFrom() {
        return allocation == null ? -1 : allocation.standsInFor();
    }

    /** Its stacks were not recorded because of {@code stack-sample}. */
    public boolean stacksSampledOut() {
        return allocation == CallSite.NOT_SAMPLED;
    }

    public boolean hasEndOfStream() {
        return endOfStream != null;
    }

    /** The thread a reader most wants: the one that read EOF, else the one that opened the socket. */
    public String thread() {
        return endOfStream != null ? endOfStream.thread() : openThread;
    }

    /** How long it had been open when reported, or -1 when the agent never saw it opened. */
    public long ageNanos() {
        return openedEpochMillis < 0 ? -1 : detectedNanos - openedNanos;
    }

    public long sinceEndOfStreamNanos() {
        return endOfStream == null ? -1 : detectedNanos - endOfStream.nanoTime();
    }

    /** "accepted" for server-side sockets, "client" for sockets the application connected. */
    public String role() {
        return accepted ? "accepted" : "client";
    }
}
