package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What the tracker remembers about sockets, independent of any report. */
class SocketTrackerTest {

    private final Harness harness = new Harness(Duration.ofSeconds(30));
    private final SocketTracker tracker = harness.tracker;

    @Test
    void tracksTheSameSocketOnlyOnce() {
        Object socket = harness.keep(new Object());

        TrackedSocket first = tracker.opened(socket, SocketType.SOCKET, false, Endpoints.UNKNOWN);
        TrackedSocket second = tracker.opened(socket, SocketType.SOCKET_CHANNEL, true, Harness.ENDPOINTS);

        assertNull(second);
        assertEquals(1, tracker.trackedCount());
        assertSame(first, tracker.find(socket));
        assertEquals(SocketType.SOCKET, tracker.find(socket).type());
    }

    @Test
    void socketsFiledUnderOneHashStayApart() {
        // A descriptor number reused while the tracker still holds the closing socket's record: one hash, two sockets.
        SocketTracker byDescriptor = new SocketTracker(new FakeClock(Harness.START_NANOS), watch -> { }, socket -> 7);
        Object closing = harness.keep(new Object());
        Object reusing = harness.keep(new Object());
        TrackedSocket first = byDescriptor.opened(closing, SocketType.SOCKET, false, Harness.ENDPOINTS);
        TrackedSocket second = byDescriptor.opened(reusing, SocketType.SOCKET, false, Harness.ENDPOINTS);

        assertEquals(2, byDescriptor.trackedCount());
        assertSame(first, byDescriptor.find(closing));
        assertSame(second, byDescriptor.find(reusing));
        byDescriptor.closed(closing);
        assertNull(byDescriptor.find(closing));
        assertSame(second, byDescriptor.find(reusing));
        assertEquals(1, byDescriptor.trackedCount());
    }

    @Test
    void givesEverySocketItsOwnId() {
        long first = harness.tracked(harness.open()).id();
        long second = harness.tracked(harness.open()).id();
        long third = harness.tracked(harness.open()).id();

        assertEquals(3, tracker.trackedCount());
        assertNotEquals(first, second);
        assertNotEquals(second, third);
        assertNotEquals(first, third);
    }

    @Test
    void tellsApartSocketsThatAreEqualButNotTheSame() {
        String one = new String("socket");
        String other = new String("socket");
        harness.keep(one);
        harness.keep(other);

        tracker.opened(one, SocketType.SOCKET, false, Endpoints.UNKNOWN);
        tracker.opened(other, SocketType.SOCKET, false, Endpoints.UNKNOWN);
        tracker.closed(one);

        assertEquals(1, tracker.trackedCount());
        assertNull(tracker.find(one));
        assertSame(other, tracker.find(other).get());
    }

    @Test
    void forgetsAClosedSocket() {
        Object socket = harness.open();

        tracker.closed(socket);

        assertEquals(0, tracker.trackedCount());
        assertNull(tracker.find(socket));
    }

    @Test
    void tracksASocketAgainAfterItWasClosed() {
        Object socket = harness.open();
        long firstId = harness.tracked(socket).id();
        tracker.closed(socket);

        TrackedSocket again = tracker.opened(socket, SocketType.SOCKET, false, Endpoints.UNKNOWN);

        assertNotEquals(null, again);
        assertNotEquals(firstId, again.id());
        assertEquals(1, tracker.trackedCount());
    }

    @Test
    void ignoresEventsOnSocketsItDoesNotTrack() {
        Object stranger = harness.keep(new Object());

        tracker.endpoints(stranger, Harness.ENDPOINTS);
        tracker.retype(stranger, SocketType.SSL_SOCKET);
        tracker.endOfStream(stranger);
        tracker.wrote(stranger);
        tracker.inputShutdown(stranger);
        tracker.finalized(stranger);
        tracker.closed(stranger);
        harness.clock.advance(Duration.ofHours(1));
        harness.detector.scan();

        assertEquals(0, tracker.trackedCount());
        assertEquals(List.of(), harness.listener.leaks);
        assertEquals(List.of(), harness.listener.outcomes);
        assertEquals(List.of(false), harness.watches);
    }

    @Test
    void fillsInOnlyTheEndpointsItDidNotKnow() {
        Object socket = harness.keep(new Object());
        tracker.opened(socket, SocketType.SOCKET, false,
                new Endpoints(-1, Harness.address(127, 0, 0, 1, 1000), null));

        tracker.endpoints(socket, new Endpoints(9, null, Harness.address(10, 1, 1, 1, 80)));

        assertEquals(new Endpoints(9, Harness.address(127, 0, 0, 1, 1000), Harness.address(10, 1, 1, 1, 80)),
                harness.tracked(socket).endpoints());
    }

    @Test
    void recordsEndOfStreamWithTimeAndThread() {
        Object socket = harness.open();
        harness.clock.advance(Duration.ofMillis(1500));

        Harness.onThread("reader-7", () -> tracker.endOfStream(socket));

        EndOfStream eof = harness.tracked(socket).endOfStream();
        assertEquals(Harness.START_NANOS + 1_500_000_000L, eof.nanoTime());
        assertEquals("reader-7", eof.thread());
    }
}
