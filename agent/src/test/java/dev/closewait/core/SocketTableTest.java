package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the tracker files its records: a slot per descriptor number, a map for the rest. */
class SocketTableTest {

    private final SocketTable table = new SocketTable();
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final List<Object> sockets = new ArrayList<>(); // strongly held: records refer to them weakly

    /** A record of a new socket, filed under {@code hash}. */
    private TrackedSocket record(int hash) {
        Object socket = new Object();
        sockets.add(socket);
        return recordOf(socket, hash);
    }

    /** Another record of {@code socket}, filed under {@code hash}. */
    private TrackedSocket recordOf(Object socket, int hash) {
        return new TrackedSocket(socket, hash, queue, 0, SocketType.SOCKET, false, 0, "t", null);
    }

    @Test
    void aRecordIsFoundByItsSocketAndHashUntilRemoved() {
        TrackedSocket tracked = record(5);

        assertTrue(table.add(tracked));
        assertSame(tracked, table.get(tracked.get(), 5));
        assertNull(table.get(new Object(), 5), "another socket under the same number");
        assertNull(table.get(tracked.get(), 6));
        assertTrue(table.remove(tracked));
        assertNull(table.get(tracked.get(), 5));
        assertFalse(table.remove(tracked), "removed once only");
        assertEquals(0, table.size());
    }

    @Test
    void aSecondSocketUnderOneDescriptorNumberOverflowsAndBothStayFindable() {
        // The first socket was dropped without close: the JDK's cleaner closed its descriptor and the number was
        // reused before the detector took the first record off.
        TrackedSocket dropped = record(9);
        TrackedSocket reusing = record(9);
        TrackedSocket third = record(9);

        assertTrue(table.add(dropped));
        assertTrue(table.add(reusing));
        assertTrue(table.add(third));
        assertSame(dropped, table.get(dropped.get(), 9));
        assertSame(reusing, table.get(reusing.get(), 9));
        assertSame(third, table.get(third.get(), 9));
        assertEquals(Set.of(dropped, reusing, third), contents());

        assertTrue(table.remove(dropped));
        assertSame(reusing, table.get(reusing.get(), 9));
        TrackedSocket next = record(9);
        assertTrue(table.add(next), "the free slot takes the next one");
        assertTrue(table.remove(reusing));
        assertTrue(table.remove(third));
        assertSame(next, table.get(next.get(), 9));
        assertEquals(Set.of(next), contents());
    }

    @Test
    void aSocketIsFiledOnceWhetherItsRecordIsInTheSlotOrOverflowed() {
        TrackedSocket inSlot = record(3);
        TrackedSocket overflowed = record(3);
        table.add(inSlot);
        table.add(overflowed);

        assertFalse(table.add(recordOf(inSlot.get(), 3)));
        assertFalse(table.add(recordOf(overflowed.get(), 3)));
        table.remove(inSlot);
        assertFalse(table.add(recordOf(overflowed.get(), 3)),
                "the slot is free again, but this socket is filed in the overflow");
        assertEquals(1, table.size());
    }

    @Test
    void hashesOutsideTheSlotsAreFiledInTheOverflow() {
        TrackedSocket negative = record(-17);
        TrackedSocket past = record(SocketTable.SLOTS);
        TrackedSocket identity = record(0x7ff1_2345);
        TrackedSocket last = record(SocketTable.SLOTS - 1);

        for (TrackedSocket tracked : List.of(negative, past, identity, last)) {
            assertTrue(table.add(tracked));
            assertSame(tracked, table.get(tracked.get(), tracked.hashCode()));
        }
        assertEquals(Set.of(negative, past, identity, last), contents());
        for (TrackedSocket tracked : List.of(negative, past, identity, last)) {
            assertTrue(table.remove(tracked));
        }
        assertEquals(0, table.size());
    }

    @Test
    void aRecordWhoseSocketWasCollectedIsRemovedByIdentity() {
        TrackedSocket inSlot = record(4);
        TrackedSocket overflowed = record(4);
        table.add(inSlot);
        table.add(overflowed);
        inSlot.clear(); // what the collector does to a dropped socket's record
        overflowed.clear();

        assertTrue(table.remove(overflowed));
        assertTrue(table.remove(inSlot));
        assertEquals(0, table.size());
    }

    @Test
    void iterationVisitsEveryPageInUseAndSkipsTheOthers() {
        TrackedSocket low = record(0);
        TrackedSocket second = record(SocketTable.PAGE + 1);
        TrackedSocket high = record(SocketTable.SLOTS - 2);
        table.add(high);
        table.add(low);
        table.add(second);

        List<TrackedSocket> order = new ArrayList<>();
        table.forEach(order::add);

        assertEquals(List.of(low, second, high), order, "slots in descriptor order");
    }

    @Test
    void threadsFilingAndRemovingUnderTheSameNumbersNeverLoseOrDuplicateARecord() throws Exception {
        int threads = 4;
        int rounds = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < rounds && failure.get() == null; i++) {
                        Object socket = new Object();
                        TrackedSocket tracked = recordOf(socket, i % 3);
                        if (!table.add(tracked)) {
                            failure.set("a new socket was refused");
                        } else if (table.get(socket, i % 3) != tracked) {
                            failure.set("a filed record was not found");
                        } else if (!table.remove(tracked)) {
                            failure.set("a filed record could not be removed");
                        } else if (table.get(socket, i % 3) != null) {
                            failure.set("a removed record was still found");
                        }
                    }
                } catch (InterruptedException e) {
                    failure.set("interrupted");
                }
            });
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(worker.isAlive(), "bounded: 4 x 20,000 rounds");
        }

        assertNull(failure.get());
        assertEquals(0, table.size());
    }

    private Set<TrackedSocket> contents() {
        Set<TrackedSocket> found = new HashSet<>();
        for (TrackedSocket tracked : table) {
            assertTrue(found.add(tracked), "each record once");
        }
        return found;
    }
}
