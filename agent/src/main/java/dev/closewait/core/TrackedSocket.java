package dev.closewait.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * One socket the agent follows. It refers to the socket only weakly, so tracking never keeps a socket alive, and it
 * is its own key in the tracker's {@link SocketTable}: equal to another record, or to a {@link Probe}, when both refer
 * to the same socket.
 *
 * <p>State: open, then (optionally) EOF seen, then closed; or reported, then closed-after-report or collected.
 */
public final class TrackedSocket extends WeakReference<Object> {

    static final int OPEN = 0;
    static final int REPORTED = 1;
    static final int CLOSED = 2;

    private static final VarHandle STATE;
    private static final VarHandle END_OF_STREAM;
    private static final VarHandle LAST_USE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(TrackedSocket.class, "state", int.class);
            END_OF_STREAM = lookup.findVarHandle(TrackedSocket.class, "endOfStream", EndOfStream.class);
            LAST_USE = lookup.findVarHandle(TrackedSocket.class, "lastUse", LastUse.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The tracker's hash of the socket ({@link SocketTracker.KeyHash}): this record's hash, and its slot in the
     * {@link SocketTable}.
     */
    private final int keyHash;
    final long id;
    volatile boolean accepted; // unknown for sockets adopted after attach, until the kernel view tells
    final long openedNanos;
    final String openThread;
    /** Swapped for a shared copy with the same frames by {@link SocketTracker#shareStacks()}. */
    volatile CallSite allocation;
    /** The site adaptive stack capture counts this socket in, or null. */
    StackCapture.Site site;
    volatile SocketType type;
    volatile Endpoints endpoints = Endpoints.UNKNOWN;
    volatile EndOfStream endOfStream;
    volatile boolean inputShutdownByApplication;
    /** Opened by one of the agent's own threads (a log appender connecting while it reports, say): never reported. */
    volatile boolean agentOwned;
    volatile long lastWriteNanos = NEVER;
    /** The last read of data while in CLOSE_WAIT ({@link SocketTracker#read}): NEVER before one. */
    volatile long lastReadNanos = NEVER;
    // Last use (SocketTracker.used): racy between threads by design, the worst case is a stack one turn old.
    /** The opening thread's id, -1 when unknown: its first turn is covered by the allocation stack. */
    long openThreadId = -1;
    /** The thread of the previous use; 0 before any. */
    long lastUserThreadId;
    boolean lastUseWrite;
    boolean inFirstRequest;
    /** When the last run of reads or writes began, by any thread: NEVER before the first. */
    volatile long lastActivityNanos = NEVER;
    volatile LastUse lastUse;
    /**
     * Where this client channel was created, when another thread connected it (see {@link ChannelCreations}); null
     * otherwise. Set before the record is filed; replaced by its shared copy on the detector's thread.
     */
    volatile Creation creation;
    volatile Leak report;
    private volatile int state;

    static final long NEVER = Long.MIN_VALUE;
    // Kernel view, written by the detector thread only; closeWaitSinceNanos is also read by writers.
    volatile long closeWaitSinceNanos = NEVER;
    long connectionGoneSinceNanos = NEVER;

    TrackedSocket(Object socket, int keyHash, ReferenceQueue<Object> queue, long id, SocketType type,
                  boolean accepted, long openedNanos, String openThread, CallSite allocation) {
        super(socket, queue);
        this.keyHash = keyHash;
        this.id = id;
        this.type = type;
        this.accepted = accepted;
        this.openedNanos = openedNanos;
        this.openThread = openThread;
        this.allocation = allocation;
    }

    public long id() {
        return id;
    }

    public SocketType type() {
        return type;
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    public EndOfStream endOfStream() {
        return endOfStream;
    }

    boolean recordEndOfStream(EndOfStream eof) {
        return END_OF_STREAM.compareAndSet(this, null, eof);
    }

    public LastUse lastUse() {
        return lastUse;
    }

    /** Swaps the last use for the same one with a shared stack, unless a newer use came in the meantime. */
    void replaceLastUse(LastUse expected, LastUse shared) {
        LAST_USE.compareAndSet(this, expected, shared);
    }

    int state() {
        return state;
    }

    boolean markReported() {
        boolean reported = STATE.compareAndSet(this, OPEN, REPORTED);
        StackCapture.Site of = site;
        if (reported && of != null) {
            of.leaked();
        }
        return reported;
    }

    /** Moves to closed and returns the state it was in. */
    int markClosed() {
        return (int) STATE.getAndSet(this, CLOSED);
    }

    @Override
    public int hashCode() {
        return keyHash;
    }

    @Override
    public boolean equals(Object other) {
        if (other == this) {
            return true;
        }
        Object socket = get();
        if (socket == null) {
            return false;
        }
        if (other instanceof TrackedSocket tracked) {
            return tracked.get() == socket;
        }
        return other instanceof Probe probe && probe.socket == socket;
    }

    /** A throw-away map key to look a socket up by identity, with the tracker's hash of it. */
    static final class Probe {
        private final Object socket;
        private final int keyHash;

        Probe(Object socket, int keyHash) {
            this.socket = socket;
            this.keyHash = keyHash;
        }

        @Override
        public int hashCode() {
            return keyHash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TrackedSocket tracked && tracked.get() == socket;
        }
    }
}
