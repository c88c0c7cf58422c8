package dev.closewait.core;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The records of the sockets the tracker follows, filed under their key hash ({@link SocketTracker.KeyHash}): for
 * the JDK's sockets the descriptor number, which the kernel hands out lowest-free-first (open(2), socket(2), accept(2):
 * "the lowest-numbered file descriptor not currently open"), so the numbers of a process's open sockets are small
 * and dense and a closed socket's number is the next one opened.
 *
 * <p>A record whose hash is below {@value #SLOTS} goes into the slot of that number if the slot is free, with one
 * compare-and-set, and leaves it with another; everything else (a second record under one number, which happens when
 * a socket dropped without close has its descriptor closed by the JDK's cleaner and reused before the detector has
 * taken its record off; identity hashes; descriptors past the slots) goes into a {@link ConcurrentHashMap}. Under
 * connection churn this replaces two map insertions and two removals per connection (each a hash spread, a bin
 * lock or compare-and-set and a size counter update, and a third of the tracker's cost in the whole-JVM churn
 * benchmark, issue 16) by four compare-and-sets on one or two cache lines that stay warm.
 *
 * <p>Slots come in pages of {@value #PAGE} allocated on first use and never freed or moved, so a compare-and-set is
 * never lost to a resize: memory is 4 KB per 1,024 descriptors the process reached (8 KB without compressed
 * references), at most 256 KB (512 KB), and a pass over the records reads every slot of those pages.
 *
 * <p>Thread-safe. A record is in exactly one place from {@link #add} to {@link #remove}, so a lookup looks in its
 * slot and then, only while anything overflowed, in the map. Iteration is weakly consistent, like the map's.
 */
final class SocketTable implements Iterable<TrackedSocket> {

    static final int PAGE_BITS = 10;
    static final int PAGE = 1 << PAGE_BITS;
    static final int SLOTS = 1 << 16;
    private static final int PAGE_MASK = PAGE - 1;

    private final AtomicReferenceArray<AtomicReferenceArray<TrackedSocket>> pages =
            new AtomicReferenceArray<>(SLOTS / PAGE);
    private final ConcurrentHashMap<TrackedSocket, TrackedSocket> overflow = new ConcurrentHashMap<>();

    /**
     * Files {@code tracked} unless a record of the same socket is filed already; returns whether it filed it. Two
     * threads filing records of one socket at the same moment could both succeed; the JDK serialises a socket's
     * connect and accept, where the tracker files them.
     */
    boolean add(TrackedSocket tracked) {
        int hash = tracked.hashCode();
        AtomicReferenceArray<TrackedSocket> page = page(hash, true);
        if (page != null) {
            int slot = hash & PAGE_MASK;
            TrackedSocket there = page.get(slot);
            if (there == null) {
                if (!overflow.isEmpty() && overflow.containsKey(tracked)) {
                    return false;
                }
                if (page.compareAndSet(slot, null, tracked)) {
                    return true;
                }
                there = page.get(slot);
            }
            if (there != null && there.equals(tracked)) {
                return false;
            }
        }
        return overflow.putIfAbsent(tracked, tracked) == null;
    }

    /** The record filed for {@code socket} under {@code hash}, or null. */
    TrackedSocket get(Object socket, int hash) {
        AtomicReferenceArray<TrackedSocket> page = page(hash, false);
        if (page != null) {
            TrackedSocket there = page.get(hash & PAGE_MASK);
            if (there != null && there.refersTo(socket)) {
                return there;
            }
        }
        return overflow.isEmpty() ? null : overflow.get(new TrackedSocket.Probe(socket, hash));
    }

    /** Takes this very record off (found by identity, so also once its socket is collected); whether it was filed. */
    boolean remove(TrackedSocket tracked) {
        int hash = tracked.hashCode();
        AtomicReferenceArray<TrackedSocket> page = page(hash, false);
        if (page != null && page.compareAndSet(hash & PAGE_MASK, tracked, null)) {
            return true;
        }
        return overflow.remove(tracked) != null;
    }

    /** How many records are filed; counts them (no counter is kept, so that filing costs no second update). */
    int size() {
        int size = 0;
        for (TrackedSocket ignored : this) {
            size++;
        }
        return size;
    }

    /** The filed records: the slots in order, then the overflow. Never throws ConcurrentModificationException. */
    @Override
    public Iterator<TrackedSocket> iterator() {
        return new Records();
    }

    private AtomicReferenceArray<TrackedSocket> page(int hash, boolean create) {
        if (hash < 0 || hash >= SLOTS) {
            return null;
        }
        int index = hash >>> PAGE_BITS;
        AtomicReferenceArray<TrackedSocket> page = pages.get(index);
        if (page == null && create) {
            pages.compareAndSet(index, null, new AtomicReferenceArray<>(PAGE));
            page = pages.get(index);
        }
        return page;
    }

    private final class Records implements Iterator<TrackedSocket> {
        private int slot = -1;
        private final Iterator<TrackedSocket> overflowed = overflow.values().iterator();
        private TrackedSocket next = advance();

        private TrackedSocket advance() {
            while (++slot < SLOTS) {
                AtomicReferenceArray<TrackedSocket> page = pages.get(slot >>> PAGE_BITS);
                if (page == null) {
                    slot |= PAGE_MASK; // the whole page is empty
                    continue;
                }
                TrackedSocket there = page.get(slot & PAGE_MASK);
                if (there != null) {
                    return there;
                }
            }
            return overflowed.hasNext() ? overflowed.next() : null;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public TrackedSocket next() {
            TrackedSocket current = next;
            if (current == null) {
                throw new NoSuchElementException();
            }
            next = advance();
            return current;
        }
    }
}
