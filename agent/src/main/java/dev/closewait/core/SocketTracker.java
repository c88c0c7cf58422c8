package dev.closewait.core;

import java.lang.ref.ReferenceQueue;
import java.util.BitSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sockets the agent follows, and what the application does to them. Called on application threads, so every
 * method is short, lock-free and does no I/O; the {@link LeakDetector} turns the state kept here into reports.
 */
public final class SocketTracker {

    /** Told of every close of a tracked socket, on the closing thread; the record keeps its fields when cleared. */
    public interface CloseObserver {
        CloseObserver NONE = socket -> { };

        void closed(TrackedSocket socket);
    }

    /** Told whether writes currently matter (some socket read EOF and is within its grace period). */
    public interface WriteWatch {
        void watch(boolean watching);
    }

    private final Clock clock;
    private final WriteWatch writeWatch;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger agentOwned = new AtomicInteger();
    private volatile int stackSampleEvery = 1;
    private volatile CloseObserver closeObserver = CloseObserver.NONE;
    // Orders "EOF seen, watch writes" against the detector's recomputation, which could otherwise switch watching
    // off just after an application thread switched it on. EOF is rare, so the lock costs nothing that matters.
    private final Object writeWatchLock = new Object();
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

    /** The tracker's clock, in nanoseconds: the time base of every deadline the kernel view computes. */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /** Starts following a socket, capturing the stack here; returns null if it is followed already. */
    public TrackedSocket opened(Object socket, SocketType type, boolean accepted, Endpoints endpoints) {
        if (find(socket) != null) {
            return null;
        }
        long id = ids.incrementAndGet();
        CallSite allocation = stackSampleEvery == 1 || id % stackSampleEvery == 0 ? new CallSite() : CallSite.NOT_SAMPLED;
        TrackedSocket tracked = new TrackedSocket(socket, collected, id, type, accepted,
                clock.nanoTime(), ThreadNames.current(), allocation);
        tracked.endpoints = endpoints;
        return open.putIfAbsent(tracked, tracked) == null ? tracked : null;
    }

    /**
     * Remembers a socket opened by one of the agent's own threads, so that it is never reported: not as a leak of
     * the application's, and not by the kernel view as a socket it does not know (which could loop: a report that
     * opens a socket that leaks and gets reported).
     */
    public void agentOwned(Object socket, SocketType type, Endpoints endpoints) {
        if (find(socket) != null) {
            return;
        }
        TrackedSocket tracked = new TrackedSocket(socket, collected, 0, type, false, clock.nanoTime(), null, null);
        tracked.endpoints = endpoints;
        tracked.agentOwned = true;
        if (open.putIfAbsent(tracked, tracked) == null) {
            agentOwned.incrementAndGet();
        }
    }

    /**
     * Starts following a socket the agent never saw opened (it was opened before the agent attached), first met at
     * an EOF: its allocation and opening time are unknown.
     */
    public TrackedSocket adopted(Object socket, SocketType type, Endpoints endpoints) {
        if (find(socket) != null) {
            return null;
        }
        TrackedSocket tracked = new TrackedSocket(socket, collected, ids.incrementAndGet(), type, false,
                clock.nanoTime(), null, null);
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
                || tracked.agentOwned || tracked.state() != TrackedSocket.OPEN) {
            return;
        }
        // A socket whose allocation stack was sampled out does without its EOF stack too: both cost the same.
        CallSite site = tracked.allocation == CallSite.NOT_SAMPLED ? CallSite.NOT_SAMPLED : new CallSite();
        EndOfStream eof = new EndOfStream(clock.nanoTime(), ThreadNames.current(), site);
        if (tracked.recordEndOfStream(eof)) {
            synchronized (writeWatchLock) {
                awaitingClose.add(tracked);
                writeWatch.watch(true);
            }
        }
    }

    /**
     * Writing after the peer closed (EOF read, or CLOSE_WAIT seen by the kernel) is a legitimate half-close protocol
     * at work: the grace period counts from the last write.
     */
    public void wrote(Object socket) {
        TrackedSocket tracked = find(socket);
        if (tracked != null && (tracked.endOfStream != null || tracked.closeWaitSinceNanos != TrackedSocket.NEVER)) {
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
        forgotten(tracked);
        awaitingClose.remove(tracked);
        int previous = tracked.markClosed();
        tracked.clear();
        if (previous == TrackedSocket.REPORTED) {
            long now = clock.nanoTime();
            outcomes.add(new LeakOutcome(tracked.report, LeakOutcome.Kind.CLOSED, now, clock.epochMillis(now),
                    ThreadNames.current()));
        }
        closeObserver.closed(tracked); // last: whatever it does, the socket is closed for the tracker already
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
            if (site != null && !site.isShared()) { // none for sockets adopted after attach or the agent's own
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

    /**
     * Records the stacks of one socket in {@code every} (1: all). Capturing stacks is most of what the agent costs
     * per connection; sampled-out sockets are tracked and reported all the same, without stacks.
     */
    public void sampleStacks(int every) {
        stackSampleEvery = Math.max(1, every);
    }

    /** Tells {@code observer} of every close from now on (connection churn, see {@link ChurnDetector}). */
    public void observeCloses(CloseObserver observer) {
        closeObserver = observer == null ? CloseObserver.NONE : observer;
    }

    /** Sockets followed for the application: the agent's own, remembered only to be left alone, do not count. */
    public int trackedCount() {
        return Math.max(0, open.size() - agentOwned.get());
    }

    /** A record leaves the map (closed or collected): keeps the count of the agent's own sockets right. */
    void forgotten(TrackedSocket tracked) {
        if (tracked.agentOwned) {
            agentOwned.decrementAndGet();
        }
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * The descriptor numbers of sockets not closed yet (reported or not): the kernel view lists only the other
     * socket descriptors of the process, for a tracked socket's state is asked per descriptor. Any thread.
     */
    public BitSet openDescriptors() {
        BitSet fds = new BitSet();
        for (TrackedSocket tracked : open.values()) {
            int fd = tracked.endpoints.fd();
            if (fd >= 0 && tracked.state() != TrackedSocket.CLOSED && tracked.get() != null) {
                fds.set(fd);
            }
        }
        return fds;
    }

    /** Watches writes while any socket awaits close after EOF, or the kernel view asks for it. */
    void updateWriteWatch(boolean kernelWantsWrites) {
        synchronized (writeWatchLock) {
            writeWatch.watch(kernelWantsWrites || !awaitingClose.isEmpty());
        }
    }
}
