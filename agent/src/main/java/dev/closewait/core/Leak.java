package dev.closewait.core;

import java.util.List;

/**
 * An immutable snapshot of a leaked socket at the moment it was reported: everything a report shows.
 * Times are monotonic nanos; {@code *EpochMillis} are the same instants in wall time, -1 where unknown.
 * {@code kernelSinceEpochMillis} is when the kernel was first seen in the state that made this a leak (CLOSE_WAIT,
 * or no connection any more), for the kernel's kinds. A socket the agent never saw opened has no allocation stack
 * and no opening thread. {@code lastUse} is where the application last used it, when the agent recorded a stack
 * for that (null otherwise); {@code reconnectedSinceUse} is true when a newer connection to the same peer was
 * opened after this one's last read or write (after its opening when never used), while this one sat unused: a
 * pool that does not reuse an idle connection opens a new one only because this one is still leased.
 * {@code creation} is where a client channel was created when another thread connected it (null otherwise; see
 * {@link ChannelCreations}).
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
        long kernelSinceEpochMillis,
        LastUse lastUse,
        long lastUseEpochMillis,
        boolean reconnectedSinceUse,
        Creation creation) {

    /** A leak without last use, as the kernel view and older callers build it. */
    public Leak(LeakKind kind, long id, SocketType type, boolean accepted, Endpoints endpoints, String openThread,
                long openedNanos, long openedEpochMillis, CallSite allocation, EndOfStream endOfStream,
                long endOfStreamEpochMillis, long detectedNanos, long detectedEpochMillis, long kernelSinceEpochMillis) {
        this(kind, id, type, accepted, endpoints, openThread, openedNanos, openedEpochMillis, allocation, endOfStream,
                endOfStreamEpochMillis, detectedNanos, detectedEpochMillis, kernelSinceEpochMillis, null, -1, false,
                null);
    }

    /** A leak without a creation stack (not a client channel, or its creation's stack was not captured). */
    public Leak(LeakKind kind, long id, SocketType type, boolean accepted, Endpoints endpoints, String openThread,
                long openedNanos, long openedEpochMillis, CallSite allocation, EndOfStream endOfStream,
                long endOfStreamEpochMillis, long detectedNanos, long detectedEpochMillis, long kernelSinceEpochMillis,
                LastUse lastUse, long lastUseEpochMillis, boolean reconnectedSinceUse) {
        this(kind, id, type, accepted, endpoints, openThread, openedNanos, openedEpochMillis, allocation, endOfStream,
                endOfStreamEpochMillis, detectedNanos, detectedEpochMillis, kernelSinceEpochMillis, lastUse,
                lastUseEpochMillis, reconnectedSinceUse, null);
    }

    /** There is a last-use stack that is not the allocation's (sampled-out sockets have none). */
    public boolean hasLastUse() {
        return lastUse != null && lastUse.site() != null && lastUse.site() != CallSite.NOT_SAMPLED;
    }

    /** The stacks of this leak, most telling first: last use, allocation, creation, EOF (those that exist). */
    public List<CallSite> stacks() {
        java.util.ArrayList<CallSite> stacks = new java.util.ArrayList<>(4);
        if (hasLastUse()) {
            stacks.add(lastUse.site());
        }
        if (allocationKnown()) {
            stacks.add(allocation);
        }
        if (hasCreation()) {
            stacks.add(creation.site());
        }
        if (endOfStream != null && endOfStream.site() != null && endOfStream.site() != CallSite.NOT_SAMPLED) {
            stacks.add(endOfStream.site());
        }
        return stacks;
    }

    /**
     * There is a stack of where this client channel was created ({@link ChannelCreations}), on its connecting thread or
     * another; for a socket whose allocation stands in ({@link #allocationFrom}), where that socket was created.
     */
    public boolean hasCreation() {
        return creation != null && creation.site() != null && allocationKnown();
    }

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
