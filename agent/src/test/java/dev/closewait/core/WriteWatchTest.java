package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hooks watch writes only while some socket read EOF and may yet be written to within its grace period. */
class WriteWatchTest {

    private static final Duration GRACE = Duration.ofSeconds(30);

    private final Harness harness = new Harness(GRACE);
    private final SocketTracker tracker = harness.tracker;
    private final LeakDetector detector = harness.detector;

    @Test
    void doesNotWatchWritesWhileNoSocketReadEndOfStream() {
        Object socket = harness.open();
        tracker.wrote(socket);

        detector.scan();

        assertEquals(List.of(false), harness.watches);
    }

    @Test
    void watchesWritesFromEndOfStreamUntilTheReport() {
        Object socket = harness.open();

        tracker.endOfStream(socket);
        assertEquals(List.of(true), harness.watches, "told at once, on the reading thread");

        harness.clock.advanceNanos(harness.graceNanos() - 1);
        detector.scan();
        assertEquals(List.of(true, true), harness.watches, "still pending");

        harness.clock.advanceNanos(1);
        detector.scan();
        assertEquals(1, harness.listener.leaks.size());
        assertEquals(List.of(true, true, false), harness.watches, "reported: nothing left to watch");
    }

    @Test
    void stopsWatchingWritesWhenThePendingSocketIsClosed() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        tracker.closed(socket);

        detector.scan();

        assertEquals(List.of(true, false), harness.watches);
    }

    @Test
    void keepsWatchingWhileAnotherSocketIsStillPending() {
        Object early = harness.open();
        Object late = harness.open();
        tracker.endOfStream(early);
        harness.clock.advance(Duration.ofSeconds(10));
        tracker.endOfStream(late);
        harness.clock.advanceNanos(harness.graceNanos() - Duration.ofSeconds(10).toNanos());

        detector.scan();
        assertEquals(1, harness.listener.leaks.size());
        assertEquals(Boolean.TRUE, harness.lastWatch(), "the late socket is within grace");

        harness.clock.advance(Duration.ofSeconds(10));
        detector.scan();
        assertEquals(2, harness.listener.leaks.size());
        assertEquals(Boolean.FALSE, harness.lastWatch());
    }

    @Test
    void stopsWatchingWritesWhenThePendingSocketIsCollected() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        harness.collect(socket);

        detector.scan();

        assertEquals(LeakKind.GC_NOT_CLOSED, harness.listener.leaks.get(0).kind());
        assertEquals(List.of(true, false), harness.watches);
    }

    /**
     * An EOF recorded on an application thread while the detector switches watching off (after its pass over the
     * open sockets, which could not see it yet): the detector's second look at the EOF count switches it back on.
     * Simulated on one thread: the write watch records the EOF the moment it is told "off".
     */
    @Test
    void anEndOfStreamRacingTheSwitchOffTurnsWatchingBackOn() {
        FakeClock clock = new FakeClock(Harness.START_NANOS);
        List<Boolean> watches = new java.util.ArrayList<>();
        SocketTracker[] holder = new SocketTracker[1];
        Object racing = new Object();
        boolean[] raced = new boolean[1];
        SocketTracker racy = new SocketTracker(clock, watch -> {
            watches.add(watch);
            if (!watch && !raced[0]) {
                raced[0] = true;
                holder[0].endOfStream(racing); // already watching in its view: it does not switch on itself
            }
        });
        holder[0] = racy;
        Object first = new Object();
        racy.opened(first, SocketType.SOCKET, false, Harness.ENDPOINTS);
        racy.opened(racing, SocketType.SOCKET, false, Harness.ENDPOINTS);
        racy.endOfStream(first);
        racy.closed(first);

        racy.updateWriteWatch(false);

        assertEquals(List.of(true, false, true), watches, "on at the first EOF, off, on again for the racing EOF");
        assertEquals(Boolean.TRUE, watches.get(watches.size() - 1));
    }
}
