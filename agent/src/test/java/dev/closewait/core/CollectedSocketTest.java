package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sockets that become unreachable. Enqueueing a tracked record clears it and hands it to the tracker's reference
 * queue, which is exactly what the garbage collector does.
 */
class CollectedSocketTest {

    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final long SECOND = 1_000_000_000L;

    private final Harness harness = new Harness(GRACE);
    private final FakeClock clock = harness.clock;
    private final SocketTracker tracker = harness.tracker;
    private final LeakDetector detector = harness.detector;
    private final RecordingListener listener = harness.listener;

    @Test
    void reportsGcNotClosedWithoutEndOfStreamWhenAnOpenSocketIsCollected() {
        Object socket = harness.open();
        long id = harness.tracked(socket).id();
        clock.advance(Duration.ofSeconds(3));
        harness.collect(socket);

        detector.scan();

        assertEquals(1, listener.leaks.size());
        Leak leak = listener.leaks.get(0);
        assertEquals(LeakKind.GC_NOT_CLOSED, leak.kind());
        assertEquals(id, leak.id());
        assertFalse(leak.hasEndOfStream());
        assertNull(leak.endOfStream());
        assertEquals(-1, leak.endOfStreamEpochMillis());
        assertEquals(-1, leak.sinceEndOfStreamNanos());
        assertEquals(leak.openThread(), leak.thread());
        assertEquals(3 * SECOND, leak.ageNanos());
        assertEquals(0, tracker.trackedCount());
        assertEquals(List.of(), listener.outcomes);

        clock.advance(GRACE);
        detector.scan();
        assertEquals(1, listener.leaks.size());
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void aCollectedSocketKeepsItsDescriptorListedAsTrackedUntilTheDetectorHasTakenItOff() {
        Object socket = harness.keep(new Object());
        tracker.opened(socket, SocketType.SOCKET_CHANNEL, false, Harness.ENDPOINTS);
        harness.collect(socket);

        assertTrue(tracker.openDescriptors().get(17),
                "between the collection and the detector's round the kernel view must not take it for untracked");

        detector.scan();
        assertFalse(tracker.openDescriptors().get(17));
    }

    @Test
    void reportsGcNotClosedWithEndOfStreamWhenCollectedWithinGrace() {
        Object socket = harness.open();
        clock.advance(Duration.ofSeconds(1));
        Harness.onThread("reader", () -> tracker.endOfStream(socket));
        long eof = clock.nanoTime();
        clock.advance(Duration.ofSeconds(4));
        harness.collect(socket);

        detector.scan();
        clock.advance(GRACE.multipliedBy(2));
        detector.scan();

        assertEquals(1, listener.leaks.size(), "collected, so never reported again as eof-not-closed");
        Leak leak = listener.leaks.get(0);
        assertEquals(LeakKind.GC_NOT_CLOSED, leak.kind());
        assertTrue(leak.hasEndOfStream());
        assertEquals(eof, leak.endOfStream().nanoTime());
        assertEquals("reader", leak.thread());
        assertEquals(FakeClock.BASE_EPOCH_MILLIS + 8_000, leak.endOfStreamEpochMillis());
        assertEquals(4 * SECOND, leak.sinceEndOfStreamNanos());
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void reportsGcNotClosedWhenCollectedPastGraceBeforeTheScan() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        clock.advance(GRACE.multipliedBy(2));
        harness.collect(socket);

        detector.scan();

        assertEquals(1, listener.leaks.size());
        assertEquals(LeakKind.GC_NOT_CLOSED, listener.leaks.get(0).kind());
        assertTrue(listener.leaks.get(0).hasEndOfStream());
    }

    @Test
    void reportsACollectedOutcomeForAReportedSocket() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        clock.advance(GRACE);
        detector.scan();
        Leak leak = listener.leaks.get(0);
        clock.advance(Duration.ofSeconds(7));
        harness.collect(socket);

        detector.scan();
        clock.advance(GRACE);
        detector.scan();

        assertEquals(1, listener.leaks.size(), "no second leak for the same socket");
        assertEquals(1, listener.outcomes.size());
        LeakOutcome outcome = listener.outcomes.get(0);
        assertEquals(LeakOutcome.Kind.COLLECTED, outcome.kind());
        assertSame(leak, outcome.leak());
        assertNull(outcome.thread());
        assertEquals(7 * SECOND, outcome.leakedForNanos());
        assertEquals(leak.detectedEpochMillis() + 7_000, outcome.atEpochMillis());
        assertEquals(0, tracker.trackedCount());
    }

    @Test
    void neverReportsAClosedSocketEvenWhenItIsCollected() {
        Object withEof = harness.open();
        Object withoutEof = harness.open();
        TrackedSocket withEofRecord = harness.tracked(withEof);
        TrackedSocket withoutEofRecord = harness.tracked(withoutEof);
        tracker.endOfStream(withEof);
        tracker.closed(withEof);
        tracker.closed(withoutEof);

        withEofRecord.enqueue();
        withoutEofRecord.enqueue();
        clock.advance(GRACE.multipliedBy(2));
        detector.scan();
        detector.scan();

        assertEquals(List.of(), listener.leaks);
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void countsAFinalizedSocketAsCollectedNotClosed() {
        Object socket = harness.open();
        long id = harness.tracked(socket).id();

        tracker.finalized(socket);
        tracker.closed(socket); // the finalizer goes on to close it
        detector.scan();

        assertEquals(1, listener.leaks.size());
        assertEquals(LeakKind.GC_NOT_CLOSED, listener.leaks.get(0).kind());
        assertEquals(id, listener.leaks.get(0).id());
        assertEquals(List.of(), listener.outcomes);
        assertEquals(0, tracker.trackedCount());
    }

    @Test
    void reportsAFinalizedReportedSocketAsCollected() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        clock.advance(GRACE);
        detector.scan();

        tracker.finalized(socket);
        tracker.closed(socket);
        detector.scan();

        assertEquals(1, listener.leaks.size());
        assertEquals(1, listener.outcomes.size());
        assertEquals(LeakOutcome.Kind.COLLECTED, listener.outcomes.get(0).kind());
        assertSame(listener.leaks.get(0), listener.outcomes.get(0).leak());
    }

    @Test
    void stopsTrackingACollectedSocketAtTheNextScan() {
        Object socket = harness.open();
        harness.open();
        harness.collect(socket);
        assertEquals(2, tracker.trackedCount(), "the detector has not looked yet");

        detector.scan();

        assertEquals(1, tracker.trackedCount());
        assertNull(tracker.find(socket));
    }
}
