package dev.closewait.core;

import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where client channels were created, kept from their constructor to their connect. A library may create a channel
 * on the application's thread and connect it on a thread of its own: Netty's {@code Bootstrap.connect} creates the
 * channel on the caller's thread and connects it on an event loop (Netty 4.1), so the stack at connect, the socket's
 * allocation stack, holds no application frame. For such a socket the stack at creation goes with it
 * ({@link TrackedSocket#creation}), and a report names the code that asked for the channel.
 *
 * <p>Cost: a channel's constructor files one entry under its descriptor number and its connect takes it out again
 * (a stale entry, of a channel closed or collected before it connected, is dropped at its close, replaced when the
 * number is reused, or purged once {@link #MAX_PENDING} entries are filed). The stack itself is captured at the
 * constructor only when {@link StackCapture#capturesCreation} says so: not on a thread whose last channel it connected
 * itself (its connect stack shows the application already), and sampled once the last site it handed a channel to is
 * adapted; a thread's first channel as the first channel of the last thread that had one went. Any thread; no locks.
 */
final class ChannelCreations {

    /** Entries filed at most; past it, entries whose channel was collected are purged, and a new one is skipped. */
    static final int MAX_PENDING = 4_096;

    /**
     * What the connects of a thread's channels said, which decides whether its next channel's creation stack is
     * captured. Plain fields, racy on purpose: a lost update only delays a switch.
     */
    static final class Creator {
        /** Its last channel was connected by another thread, to a site not adapted: capture every creation. */
        static final int HANDS_OFF = 0;
        /** Its last channel was connected by this thread itself: the connect stack shows the caller. */
        static final int CONNECTS_OWN = 1;
        /** Its last channel was connected by another thread, to an adapted site: capture a sample. */
        static final int HANDS_OFF_ADAPTED = 2;

        int mode;
        /** No channel of this thread has connected yet. */
        boolean fresh = true;
        boolean captured;
        long capturedNanos;

        Creator(int mode) {
            this.mode = mode;
        }
    }

    /** A channel created and not connected yet, weakly: an entry keeps no channel alive. */
    private static final class Pending extends WeakReference<Object> {
        final Creator creator;
        final long threadId;
        /** Null when the stack was not captured. */
        final Creation creation;

        Pending(Object channel, Creator creator, long threadId, Creation creation) {
            super(channel);
            this.creator = creator;
            this.threadId = threadId;
            this.creation = creation;
        }
    }

    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    // Plain ThreadLocal filled on first use: a subclass with initialValue() or withInitial's lambda would be one more
    // class to load or spin on the start path.
    private final ThreadLocal<Creator> creators = new ThreadLocal<>();
    private int skipped; // racy on purpose: it only spaces the purges
    /**
     * The mode a thread starts in: what the first channel of the last thread that had one showed. A program that
     * runs each task on a fresh thread (virtual threads, thread per connection) and connects its own channels would
     * otherwise pay a stack capture for every thread's first channel, thrown away at its connect; one that hands its
     * channels to a library's thread still has the first channel of each thread captured. Capture at first.
     */
    private volatile int freshThreadMode = Creator.HANDS_OFF;

    /**
     * A client channel was constructed on this thread at {@code nowNanos}; {@code keyHash} is its descriptor number
     * (the tracker's key hash). Captures the stack here when {@code capture} decides so.
     */
    void created(Object channel, int keyHash, long nowNanos, StackCapture capture) {
        if (pending.size() >= MAX_PENDING && (++skipped % MAX_PENDING != 1 || !purgeCollected())) {
            return; // full: a purge, a pass over the entries, once per MAX_PENDING creations skipped
        }
        Creator creator = creators.get();
        if (creator == null) {
            creator = new Creator(freshThreadMode);
            creators.set(creator);
        }
        Creation creation = capture.capturesCreation(creator, nowNanos)
                ? new Creation(nowNanos, ThreadNames.current(), new CallSite()) : null;
        pending.put(keyHash, new Pending(channel, creator, Thread.currentThread().getId(), creation));
    }

    /**
     * {@code channel} is being connected on this thread, to {@code site} (null: none). Returns where it was created
     * when that was another thread and its stack was captured; null otherwise. Tells the creating thread what this
     * connect showed. Cheap when nothing is filed: one emptiness check.
     */
    Creation connected(Object channel, int keyHash, StackCapture.Site site) {
        if (pending.isEmpty()) {
            return null;
        }
        Pending entry = pending.remove(keyHash);
        // Another object under this number is stale: its descriptor belongs to this socket now.
        if (entry == null || !entry.refersTo(channel)) {
            return null;
        }
        boolean sameThread = entry.threadId == Thread.currentThread().getId();
        Creator creator = entry.creator;
        creator.mode = sameThread ? Creator.CONNECTS_OWN
                : site != null && site.adapted() ? Creator.HANDS_OFF_ADAPTED : Creator.HANDS_OFF;
        if (creator.fresh) {
            creator.fresh = false;
            freshThreadMode = sameThread ? Creator.CONNECTS_OWN : Creator.HANDS_OFF;
        }
        return sameThread ? null : entry.creation;
    }

    /** {@code socket} was closed: its entry goes, if it never connected. Cheap when nothing is filed. */
    void closed(Object socket, int keyHash) {
        if (pending.isEmpty()) {
            return;
        }
        Pending entry = pending.get(keyHash);
        if (entry != null && entry.refersTo(socket)) {
            pending.remove(keyHash, entry);
        }
    }

    /** Drops entries whose channel was collected; true when that made room. */
    private boolean purgeCollected() {
        for (Iterator<Pending> entries = pending.values().iterator(); entries.hasNext(); ) {
            if (entries.next().refersTo(null)) {
                entries.remove();
            }
        }
        return pending.size() < MAX_PENDING;
    }

    /** Entries filed now. */
    int pending() {
        return pending.size();
    }
}
