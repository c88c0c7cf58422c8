package dev.closewait.core;

import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where client channels were created, kept from their constructor to their connect. A library may create a channel
 * on the application's thread and connect it on a thread of its own: Netty's {@code Bootstrap.connect} creates the
 * channel on the caller's thread and connects it on an event loop (Netty 4.1), so the stack at connect, the socket's
 * allocation stack, holds no application frame; and a channel the event loop creates and connects itself (a
 * reconnect, a proxy's backend) is connected by a task the loop runs later, whose stack holds none either. So the
 * stack at creation goes with the socket ({@link TrackedSocket#creation}), and a report names the code that asked for
 * the channel. Which thread connects is no guide to whether it is needed: a thread that mixes its own connects with
 * Netty's lost every Netty channel's creation when the choice followed its last channel (2026-12-02).
 *
 * <p>Cost: a channel's constructor files one entry under its descriptor number and its connect takes it out again
 * (a stale entry, of a channel closed or collected before it connected, is dropped at its close, replaced when the
 * number is reused, or purged once {@link #MAX_PENDING} entries are filed). The stack itself is captured at the
 * constructor as {@link StackCapture#capturesCreation} says: always, unless the site this thread's last channel
 * connected to is adapted and its stand-in has a creation (then sampled like that site); a new thread starts with the
 * site of the last new thread's first channel.
 * Any thread; no locks.
 */
final class ChannelCreations {

    /** Entries filed at most; past it, entries whose channel was collected are purged, and a new one is skipped. */
    static final int MAX_PENDING = 4_096;

    /**
     * What the connects of a thread's channels said, which decides whether its next channel's creation stack is
     * captured. Plain fields, racy on purpose: a lost update only delays a switch.
     */
    static final class Creator {
        /**
         * The site its last channel connected to (null: none yet, or no site): while that site is adapted (and its
         * stand-in has a creation), creations are sampled; read live, so that a site that leaks has the next creation
         * captured.
         */
        StackCapture.Site lastSite;
        /**
         * The site of the last of its channels that another thread connected (null: none yet). While that site is not
         * adapted, every creation is captured whatever {@link #lastSite} says: a thread that connects channels of its
         * own to an adapted site between hand-offs to another site would otherwise lose the hand-offs' creations.
         */
        StackCapture.Site lastHandedOff;
        /** No channel of this thread has connected yet. */
        boolean fresh = true;
        boolean captured;
        long capturedNanos;

        Creator(StackCapture.Site lastSite) {
            this.lastSite = lastSite;
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
     * The site a new thread starts with: where the first channel of the last new thread connected. A program that
     * runs each task on a new thread (virtual threads, thread per connection) to one adapted site would otherwise
     * pay a capture for every thread's first channel.
     */
    private volatile StackCapture.Site freshThreadSite;

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
            creator = new Creator(freshThreadSite);
            creators.set(creator);
        }
        Creation creation = capture.capturesCreation(creator, nowNanos)
                ? new Creation(nowNanos, ThreadNames.current(), new CallSite()) : null;
        pending.put(keyHash, new Pending(channel, creator, Thread.currentThread().getId(), creation));
    }

    /**
     * {@code channel} is being connected on this thread, to {@code site} (null: none). Returns where it was created
     * when its stack was captured there (on this thread or another); null otherwise. Tells the creating thread where
     * its channel went. Cheap when nothing is filed: one emptiness check.
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
        Creator creator = entry.creator;
        creator.lastSite = site;
        if (entry.threadId != Thread.currentThread().getId()) {
            creator.lastHandedOff = site;
        }
        if (creator.fresh) {
            creator.fresh = false;
            freshThreadSite = site;
        }
        return entry.creation;
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
