package dev.closewait.core;

import java.lang.ref.ReferenceQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sockets the agent follows, and what the application does to them. Called on application threads, so every
 * method is short, lock-free and does no I/O; the {@link LeakDetector} turns the state kept here into reports.
 */
public final class SocketTracker {

    /** Told whether writes currently matter (some socket read EOF and is within its grace period). */
    public interface WriteWatch {
        void watch(boolean watching);
    }

    private final Clock clock;
    private final WriteWatch writeWatch;
    private final AtomicLong ids = new AtomicLong();
    final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    final ConcurrentHashMap<Object, TrackedSocket> open = new ConcurrentHashMap<>();
    /** Read EOF, neither closed nor reported yet. */
    final Set<TrackedSocket> awaitingClose = ConcurrentHashMap.newKeySet();
    /** What happened to reported sockets since the detector last looked. */
    final Queue<LeakOutcome> outcomes = new ConcurrentLinkedQueue<>();
    private final StackTable stacks = new StackTable();

    public SocketTracker(Clock clock, WriteWatch writeWatch) {
        this.clock = clock;
        this.writeWatch = writeWatch;
    }

    Clock clock() {
        return clock;
    }

    /** Starts following a socket, capturing the stack here; returns null if it is followed already. */
    public TrackedSocket opened(Object socket, SocketType type, boolean accepted, Endpoints endpoints) {
        if (find(socket) != null) {
            return null;
        }
        TrackedSocket tracked = new TrackedSocket(socket, collected, ids.incrementAndGet(), type, accepted,
                clock.nanoTime(), ThreadNames.current(), new CallSite());
        tracked.endpoints = endpoints;
        return open.putIfAbsent(tracked, tracked) == null ? tracked : null;
    }

    public void endpoints(Object socket, Endpoints endpoints) {
        TrackedSocket tracked = find(socket);
        if (tracked != null) {
            tracked.endpoints = endpoints.orElse(tracked.endpoints);
        }
    }

    public void retype(Object socket, SocketType type) {
        TrackedSocket tracked = find(socket);
        if (tracked != null) {
            tracked.type = type;
        }
    }

    /** A read returned EOF. Only the first one counts, and none after the application shut its own input down. */
    public void endOfStream(Object socket) {
        TrackedSocket tracked = find(socket);
        if (tracked == null || tracked.endOfStream != null || tracked.inputShutdownByApplication
                || tracked.state() != TrackedSocket.OPEN) {
            return;
        }
        EndOfStream eof = new EndOfStream(clock.nanoTime(), ThreadNames.current(), new CallSite());
        if (tracked.recordEndOfStream(eof)) {
            awaitingClose.add(tracked);
            writeWatch.watch(true);
        }
    }

    /** Writing after EOF is a legitimate half-close protocol at work: the grace period counts from the last write. */
    public void wrote(Object socket) {
        TrackedSocket tracked = find(socket);
        if (tracked != null && tracked.endOfStream != null) {
            tracked.lastWriteNanos = clock.nanoTime();
        }
    }

    public void inputShutdown(Object socket) {
        TrackedSocket tracked = find(socket);
        if (tracked != null) {
            tracked.inputShutdownByApplication = true;
        }
    }

    public void closed(Object socket) {
        TrackedSocket tracked = open.remove(new TrackedSocket.Probe(socket));
        if (tracked == null) {
            return;
        }
        awaitingClose.remove(tracked);
        int previous = tracked.markClosed();
        tracked.clear();
        if (previous == TrackedSocket.REPORTED) {
            long now = clock.nanoTime();
            outcomes.add(new LeakOutcome(tracked.report, LeakOutcome.Kind.CLOSED, now, clock.epochMillis(now),
                    ThreadNames.current()));
        }
    }

    /**
     * Closed by a finalizer (JDK 17's SSL sockets have one): the application dropped it without close(), so this
     * counts as collected, not closed.
     */
    public void finalized(Object socket) {
        TrackedSocket tracked = find(socket);
        if (tracked != null) {
            tracked.enqueue();
        }
    }

    /**
     * Gives every open socket the shared copy of its allocation stack (see {@link StackTable}). Runs on the
     * detector's thread: sockets closed between two scans never pay for it.
     */
    void shareStacks() {
        for (TrackedSocket tracked : open.values()) {
            CallSite site = tracked.allocation;
            if (!site.isShared()) {
                tracked.allocation = stacks.share(site);
            }
        }
    }

    int sharedStacks() {
        return stacks.size();
    }

    public TrackedSocket find(Object socket) {
        return open.get(new TrackedSocket.Probe(socket));
    }

    public int trackedCount() {
        return open.size();
    }

    void watchWrites(boolean watching) {
        writeWatch.watch(watching);
    }
}
