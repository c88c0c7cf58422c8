package dev.closewait.core;

import java.lang.ref.ReferenceQueue;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
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
        /** Told nothing: a class, not a lambda, which the agent's start would link by spinning classes. */
        CloseObserver NONE = new CloseObserver() {
            @Override
            public void closed(TrackedSocket socket) {
            }
        };

        void closed(TrackedSocket socket);
    }

    /**
     * The hash a socket is filed under: the same for one socket for as long as it is tracked, and cheap. The agent
     * hashes the JDK's sockets by their descriptor number, which the JDK keeps in the socket object after close too
     * (JDK 17 and 25); {@link #IDENTITY} otherwise. Not the identity hash for every socket: the first one taken of a
     * new object is a call into the VM, about 0.13 us per socket in the churn workload (issue 16).
     */
    public interface KeyHash {
        KeyHash IDENTITY = new KeyHash() {
            @Override
            public int of(Object socket) {
                return System.identityHashCode(socket);
            }
        };

        int of(Object socket);
    }

    /** Told whether writes currently matter (some socket read EOF and is within its grace period). */
    public interface WriteWatch {
        void watch(boolean watching);
    }

    /**
     * Switches the hooks' reports of reads on ({@link #read}) while the kernel view has a socket in CLOSE_WAIT within
     * its grace period, and off otherwise: each read that returns data then costs a lookup, which a churning
     * application should not pay the rest of the time.
     */
    public interface ReadWatch {
        void watch(boolean watching);

        ReadWatch NONE = new ReadWatch() {
            @Override
            public void watch(boolean watching) {
            }
        };
    }

    private final Clock clock;
    private final WriteWatch writeWatch;
    private volatile ReadWatch readWatch = ReadWatch.NONE;
    private boolean watchingReads; // detector thread
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger agentOwned = new AtomicInteger();
    private volatile CloseObserver closeObserver = CloseObserver.NONE;
    /**
     * EOFs recorded so far. The detector reads it before looking for sockets that await close and again after
     * switching the write watch off: an EOF recorded meanwhile switches it back on (see {@link #updateWriteWatch}).
     * A set of the sockets awaiting close, and a lock to order the two, cost every connection that reads EOF two map
     * operations and a monitor (issue 16).
     */
    private final AtomicLong endsOfStream = new AtomicLong();
    private volatile boolean watchingWrites;
    final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    final SocketTable open = new SocketTable();
    /** What happened to reported sockets since the detector last looked. */
    final Queue<LeakOutcome> outcomes = new ConcurrentLinkedQueue<>();
    private final StackTable stacks = new StackTable();
    private final StackCapture capture;
    private final ChannelCreations creations = new ChannelCreations();
    private final KeyHash keyHash;

    /** Sockets filed under their identity hash. */
    public SocketTracker(Clock clock, WriteWatch writeWatch) {
        this(clock, writeWatch, KeyHash.IDENTITY);
    }

    public SocketTracker(Clock clock, WriteWatch writeWatch, KeyHash keyHash) {
        this(clock, writeWatch, new StackCapture(), keyHash);
    }

    SocketTracker(Clock clock, WriteWatch writeWatch, StackCapture capture) {
        this(clock, writeWatch, capture, KeyHash.IDENTITY);
    }

    SocketTracker(Clock clock, WriteWatch writeWatch, StackCapture capture, KeyHash keyHash) {
        this.clock = clock;
        this.writeWatch = writeWatch;
        this.capture = capture;
        this.keyHash = keyHash;
    }

    Clock clock() {
        return clock;
    }

    /** The tracker's clock, in nanoseconds: the time base of every deadline the kernel view computes. */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /**
     * Starts following a socket, capturing the stack here unless {@link StackCapture} decides otherwise; returns
     * null if it is followed already.
     */
    public TrackedSocket opened(Object socket, SocketType type, boolean accepted, Endpoints endpoints) {
        // No lookup first: the hook's caller has looked already, and SocketTable.add keeps a socket from being
        // followed twice (a lookup here cost one more map operation on every open).
        long id = ids.incrementAndGet();
        StackCapture.Site site = capture.siteOf(accepted, endpoints);
        long now = clock.nanoTime();
        int hash = keyHash.of(socket);
        Creation creation = accepted ? null : creations.connected(socket, hash, site);
        CallSite allocation = capture.allocation(site, id, now, creation);
        TrackedSocket tracked = new TrackedSocket(socket, hash, collected, id, type, accepted,
                now, ThreadNames.current(), allocation);
        // published with the record by the table's compare-and-set
        tracked.creation = creation != null ? creation : allocation.standInCreation();
        if (creation != null && site != null) {
            site.creation = creation.site();
        }
        tracked.endpoints = endpoints;
        tracked.openThreadId = Thread.currentThread().getId();
        tracked.site = site;
        return open.add(tracked) ? tracked : null;
    }

    /**
     * A client channel was constructed on this thread and is not connected yet: where it was created is kept until
     * it connects, for a socket connected on another thread (see {@link ChannelCreations}).
     */
    public void created(Object channel) {
        creations.created(channel, keyHash.of(channel), clock.nanoTime(), capture);
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
        TrackedSocket tracked = new TrackedSocket(socket, keyHash.of(socket), collected, 0, type, false,
                clock.nanoTime(), null, null);
        tracked.endpoints = endpoints;
        tracked.agentOwned = true;
        if (open.add(tracked)) {
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
        TrackedSocket tracked = new TrackedSocket(socket, keyHash.of(socket), collected, ids.incrementAndGet(), type,
                false, clock.nanoTime(), null, null);
        tracked.endpoints = endpoints;
        return open.add(tracked) ? tracked : null;
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
        endOfStream(find(socket));
    }

    /** As {@link #endOfStream(Object)}, for a record the caller has looked up already (null: does nothing). */
    public void endOfStream(TrackedSocket tracked) {
        if (tracked == null || tracked.endOfStream != null || tracked.inputShutdownByApplication
                || tracked.agentOwned || tracked.state() != TrackedSocket.OPEN) {
            return;
        }
        // A socket whose allocation stack was not captured (sampled out, or standing in for its site's) does without
        // its EOF stack too: both cost the same, and most sockets read EOF.
        CallSite allocation = tracked.allocation;
        CallSite site = allocation == CallSite.NOT_SAMPLED || (allocation != null && allocation.standsInFor() >= 0)
                ? CallSite.NOT_SAMPLED : new CallSite();
        EndOfStream eof = new EndOfStream(clock.nanoTime(), ThreadNames.current(), site);
        if (tracked.recordEndOfStream(eof)) {
            endsOfStream.incrementAndGet(); // after the EOF is recorded: see updateWriteWatch
            if (!watchingWrites) {
                watchWrites(true);
            }
        }
    }

    /**
     * Writing after the peer closed (EOF read, or CLOSE_WAIT seen by the kernel) is a legitimate half-close protocol
     * at work: the grace period counts from the last write.
     */
    public void wrote(Object socket) {
        wrote(find(socket));
    }

    /** {@link #wrote(Object)} and then {@link #used(Object, boolean) used} for a write, with one lookup. */
    public void wroteAndUsed(Object socket) {
        TrackedSocket tracked = find(socket);
        wrote(tracked);
        used(tracked, true);
    }

    private void wrote(TrackedSocket tracked) {
        if (tracked != null && (tracked.endOfStream != null || tracked.closeWaitSinceNanos != TrackedSocket.NEVER)) {
            tracked.lastWriteNanos = clock.nanoTime();
        }
    }

    /**
     * The application read data from the socket while reads are watched ({@link ReadWatch}). In CLOSE_WAIT that is
     * what the peer sent before its FIN, still being consumed (a slow reader of a response the server sent and
     * closed): the socket is in use, and the close-wait grace counts from the last such read. A reader that stops
     * before EOF leaves it to run out; one that reads on to EOF hands the socket to the EOF rule.
     */
    public void read(Object socket) {
        TrackedSocket tracked = find(socket);
        if (tracked != null && tracked.closeWaitSinceNanos != TrackedSocket.NEVER) {
            tracked.lastReadNanos = clock.nanoTime();
        }
    }

    /**
     * The application read data from, or wrote to, the socket after using it otherwise (see
     * {@link dev.closewait.bootstrap.SocketEventListener#used}). Records the stack here when this starts a new request
     * (a client's write, an accepted socket's read), when the socket changed threads, or when an accepted socket
     * answers (the handler's write): the code that last used a pooled or accepted socket is rarely the code that
     * opened it. The opening thread's first request is covered by the allocation stack and records nothing, so a
     * connection used once costs no stack here; a keep-alive connection costs one stack per request (two on
     * a server whose handler writes). Sockets without their own allocation stack (stack-sample, adaptive capture)
     * record none.
     */
    public void used(Object socket, boolean write) {
        used(find(socket), write);
    }

    private void used(TrackedSocket tracked, boolean write) {
        CallSite allocation = tracked == null ? null : tracked.allocation;
        // Like the EOF stack: a socket whose allocation stack was not captured (sampled out, or standing in for its
        // site's) records no last use either.
        if (tracked == null || tracked.agentOwned || tracked.state() != TrackedSocket.OPEN
                || allocation == CallSite.NOT_SAMPLED || (allocation != null && allocation.standsInFor() >= 0)) {
            return;
        }
        long now = clock.nanoTime();
        tracked.lastActivityNanos = now;
        long thread = Thread.currentThread().getId();
        long previousThread = tracked.lastUserThreadId;
        boolean previousWrite = tracked.lastUseWrite;
        tracked.lastUserThreadId = thread;
        tracked.lastUseWrite = write;
        boolean first = previousThread == 0;
        boolean startsRequest = tracked.accepted ? !write : write;
        boolean newRequest = first || previousThread != thread || (startsRequest && previousWrite != write);
        if (newRequest) {
            tracked.inFirstRequest = first;
        }
        if (tracked.inFirstRequest && thread == tracked.openThreadId) {
            return; // the allocation stack shows this request
        }
        boolean answer = tracked.accepted && write && previousWrite != write;
        if (newRequest || answer) {
            tracked.lastUse = new LastUse(now, ThreadNames.current(), write, new CallSite());
        }
    }

    public void inputShutdown(Object socket) {
        TrackedSocket tracked = find(socket);
        if (tracked != null) {
            tracked.inputShutdownByApplication = true;
        }
    }

    public void closed(Object socket) {
        int hash = keyHash.of(socket);
        TrackedSocket tracked = open.get(socket, hash);
        if (tracked == null) {
            creations.closed(socket, hash); // a channel closed before it connected
            return;
        }
        if (!open.remove(tracked)) {
            return; // another thread closed it at the same moment
        }
        forgotten(tracked);
        // Not cleared: Reference.clear() is a native call (JDK 16+), and a record that outlives its socket is only
        // ever enqueued when something still refers to it (a report); the detector skips closed ones.
        int previous = tracked.markClosed();
        StackCapture.Site site = tracked.site;
        if (site != null && previous == TrackedSocket.OPEN) {
            site.closedInTime();
        }
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
        for (TrackedSocket tracked : open) {
            CallSite site = tracked.allocation;
            if (site != null && !site.isShared()) { // none for sockets adopted after attach or the agent's own
                tracked.allocation = stacks.share(site);
            }
            Creation creation = tracked.creation;
            if (creation != null && !creation.site().isShared()) {
                CallSite shared = stacks.share(creation.site());
                if (shared != creation.site()) {
                    tracked.creation = new Creation(creation.nanoTime(), creation.thread(), shared);
                }
            }
            LastUse use = tracked.lastUse;
            if (use != null && !use.site().isShared()) {
                CallSite shared = stacks.share(use.site());
                if (shared != use.site()) {
                    tracked.replaceLastUse(use, new LastUse(use.nanoTime(), use.thread(), use.write(), shared));
                }
            }
        }
    }

    /**
     * Whether a newer client connection to the same peer address was opened after this socket was last read or
     * written (or opened, when never used) and is still open: see {@link Leak#reconnectedSinceUse()}. Runs on the detector
     * thread; the newest opening per peer is computed once per {@code now}, so a burst of reports costs one pass over
     * the open sockets.
     */
    boolean reconnectedSince(TrackedSocket tracked, long now) {
        java.net.InetSocketAddress remote = tracked.endpoints.remote();
        if (tracked.accepted || remote == null) {
            return false;
        }
        if (newestOpeningNow != now || newestOpeningByPeer == null) {
            Map<java.net.InetSocketAddress, Long> newest = new HashMap<>();
            for (TrackedSocket other : open) {
                java.net.InetSocketAddress peer = other.endpoints.remote();
                if (!other.accepted && !other.agentOwned && peer != null && other.state() == TrackedSocket.OPEN) {
                    Long known = newest.get(peer);
                    if (known == null || known < other.openedNanos) {
                        newest.put(peer, other.openedNanos);
                    }
                }
            }
            newestOpeningByPeer = newest;
            newestOpeningNow = now;
        }
        long activity = tracked.lastActivityNanos;
        long since = activity == TrackedSocket.NEVER ? tracked.openedNanos : activity;
        Long newest = newestOpeningByPeer.get(remote);
        return newest != null && newest - since > 0;
    }

    private Map<java.net.InetSocketAddress, Long> newestOpeningByPeer;
    private long newestOpeningNow;

    /** Client channels created and not connected yet whose creation is kept (see {@link ChannelCreations}). */
    int pendingCreations() {
        return creations.pending();
    }

    int sharedStacks() {
        return stacks.size();
    }

    /** The record of {@code socket} while it is tracked (opened or adopted, not closed or collected); null if not. */
    public TrackedSocket find(Object socket) {
        return open.get(socket, keyHash.of(socket));
    }

    /**
     * Records the stacks of one socket in {@code every}, chosen at random (1: all, with adaptive capture; see
     * {@link StackCapture}). Capturing stacks is most of what the agent costs per connection; sampled-out sockets
     * are tracked and reported all the same, without stacks.
     */
    public void sampleStacks(int every) {
        capture.sampleEvery(every);
    }

    /** Adaptive stack capture on (the default) or off; see {@link StackCapture}. */
    public void adaptiveStacks(boolean on) {
        capture.adaptive(on);
    }

    /** Tells {@code observer} of every close from now on (connection churn, see {@link ChurnDetector}). */
    public void observeCloses(CloseObserver observer) {
        closeObserver = observer == null ? CloseObserver.NONE : observer;
    }

    /** Sockets followed for the application: the agent's own, remembered only to be left alone, do not count. */
    public int trackedCount() {
        return Math.max(0, open.size() - agentOwned.get());
    }

    /** A record leaves the table (closed or collected): keeps the count of the agent's own sockets right. */
    void forgotten(TrackedSocket tracked) {
        if (tracked.agentOwned) {
            agentOwned.decrementAndGet();
        }
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * How many sockets were ever tracked (opened, accepted or adopted, the agent's own included; closed ones too).
     * Zero means that nothing this tracker knows can ever be reported.
     */
    public long socketsSeen() {
        return ids.get();
    }

    /**
     * The descriptor numbers of sockets not closed yet (reported or not): the kernel view lists only the other
     * socket descriptors of the process, for a tracked socket's state is asked per descriptor. A socket already
     * garbage-collected counts until the detector has taken it off the tracker (and told the kernel view, see
     * {@code UntrackedSockets.collected}): listed as untracked before that, it was followed, and reported, a second
     * time. Left out: sockets whose state only the tables tell ({@link #stateFromTables}), which the kernel view
     * must list. Any thread.
     */
    public BitSet openDescriptors() {
        BitSet fds = new BitSet();
        for (TrackedSocket tracked : open) {
            int fd = tracked.endpoints.fd();
            if (fd >= 0 && tracked.state() != TrackedSocket.CLOSED && !stateFromTables(tracked)) {
                fds.set(fd);
            }
        }
        return fds;
    }

    /**
     * The open sockets whose TCP state only the kernel's tables can tell, by descriptor number (see
     * {@link #stateFromTables}): the kernel view lists their descriptors like those of untracked sockets and hands
     * their rows back to {@link KernelLeakFinder}. Detector thread.
     */
    Map<Integer, TrackedSocket> stateFromTablesByFd() {
        Map<Integer, TrackedSocket> byFd = new HashMap<>();
        for (TrackedSocket tracked : open) {
            if (tracked.state() != TrackedSocket.CLOSED && stateFromTables(tracked)) {
                byFd.put(tracked.endpoints.fd(), tracked);
            }
        }
        return byFd;
    }

    /**
     * Whether a socket's TCP state must be read from the kernel's tables rather than probed: the application shut its
     * input down, after which {@code poll} flags end-of-input whether the peer closed or not (Linux {@code tcp_poll}
     * sets {@code POLLRDHUP} for {@code RCV_SHUTDOWN}, which {@code shutdown(SHUT_RD)} and a peer's FIN both set). Not
     * the agent's own sockets, nor one without a descriptor number.
     */
    static boolean stateFromTables(TrackedSocket tracked) {
        return tracked.inputShutdownByApplication && !tracked.agentOwned && tracked.endpoints.fd() >= 0;
    }

    /**
     * Watches writes while any socket awaits close after EOF, or the kernel view asks for it. On the detector thread.
     * An application thread that records an EOF counts it, then switches watching on unless it is on; switching it
     * off here is followed by a second look at the count, so an EOF recorded after the first look, whose socket the
     * pass over the open sockets may have missed, switches it back on.
     */
    /** Where {@link #watchReads} switches the hooks' read reports; set once, before scans start. */
    public void readWatch(ReadWatch watch) {
        readWatch = watch;
    }

    /** Switches read reports on or off (see {@link ReadWatch}), telling the hooks only of a change. Detector thread. */
    void watchReads(boolean watch) {
        if (watch != watchingReads) {
            watchingReads = watch;
            readWatch.watch(watch);
        }
    }

    void updateWriteWatch(boolean kernelWantsWrites) {
        long counted = endsOfStream.get();
        if (kernelWantsWrites || anyAwaitingClose()) {
            watchWrites(true);
            return;
        }
        watchWrites(false);
        if (endsOfStream.get() != counted) {
            watchWrites(true);
        }
    }

    private void watchWrites(boolean watch) {
        writeWatch.watch(watch);
        watchingWrites = watch;
    }

    /** Whether a socket read EOF and is neither closed nor reported (the agent's own never count). */
    boolean anyAwaitingClose() {
        for (TrackedSocket tracked : open) {
            if (awaitsClose(tracked)) {
                return true;
            }
        }
        return false;
    }

    /** Read EOF, and neither closed nor reported yet. */
    static boolean awaitsClose(TrackedSocket tracked) {
        return tracked.endOfStream != null && tracked.state() == TrackedSocket.OPEN && !tracked.agentOwned;
    }
}
