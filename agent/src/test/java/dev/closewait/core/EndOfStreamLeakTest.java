package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.closewait.core.Harness.START_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main path: a socket reads EOF and then is closed in time, too late, or never. */
class EndOfStreamLeakTest {

    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final long SECOND = 1_000_000_000L;

    private final Harness harness = new Harness(GRACE);
    private final FakeClock clock = harness.clock;
    private final SocketTracker tracker = harness.tracker;
    private final LeakDetector detector = harness.detector;
    private final RecordingListener listener = harness.listener;

    @Test
    void staysSilentOneNanosecondBeforeGraceEnds() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        clock.advanceNanos(harness.graceNanos() - 1);

        detector.scan();

        assertEquals(List.of(), listener.leaks);
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void reportsOnceAfterGraceWithoutClose() {
        String opener = Thread.currentThread().getName();
        Object socket = harness.open();
        long id = harness.tracked(socket).id();
        clock.advance(Duration.ofSeconds(2));
        Harness.onThread("reader", () -> tracker.endOfStream(socket));
        clock.advanceNanos(harness.graceNanos());

        detector.scan();

        assertEquals(1, listener.leaks.size());
        Leak leak = listener.leaks.get(0);
        assertEquals(LeakKind.EOF_NOT_CLOSED, leak.kind());
        assertEquals(id, leak.id());
        assertEquals(SocketType.SOCKET, leak.type());
        assertTrue(leak.accepted());
        assertEquals(Harness.ENDPOINTS, leak.endpoints());
        assertEquals(opener, leak.openThread());
        assertEquals("reader", leak.endOfStream().thread());
        assertEquals("reader", leak.thread());
        assertEquals(START_NANOS, leak.openedNanos());
        assertEquals(FakeClock.BASE_EPOCH_MILLIS + 7_000, leak.openedEpochMillis());
        assertEquals(START_NANOS + 2 * SECOND, leak.endOfStream().nanoTime());
        assertEquals(FakeClock.BASE_EPOCH_MILLIS + 9_000, leak.endOfStreamEpochMillis());
        long detected = START_NANOS + 2 * SECOND + harness.graceNanos();
        assertEquals(detected, leak.detectedNanos());
        assertEquals(FakeClock.BASE_EPOCH_MILLIS + 39_000, leak.detectedEpochMillis());
        assertEquals(32 * SECOND, leak.ageNanos());
        assertEquals(30 * SECOND, leak.sinceEndOfStreamNanos());
        assertTrue(leak.allocation() != null && leak.endOfStream().site() != null, "both stacks are captured");
        assertEquals(List.of(), listener.outcomes);

        for (int i = 0; i < 3; i++) {
            clock.advance(GRACE);
            detector.scan();
        }
        assertEquals(1, listener.leaks.size(), "a socket is reported once");
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void staysSilentWhenClosedWithinGrace() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        clock.advanceNanos(harness.graceNanos() - 1);
        tracker.closed(socket);

        for (int i = 0; i < 3; i++) {
            detector.scan();
            clock.advance(GRACE);
        }

        assertEquals(List.of(), listener.leaks);
        assertEquals(List.of(), listener.outcomes);
        assertEquals(0, tracker.trackedCount());
    }

    @Test
    void reportsTheCloseThatFollowsAReportOnce() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        clock.advance(GRACE);
        detector.scan();
        Leak leak = listener.leaks.get(0);
        clock.advance(Duration.ofSeconds(5));

        Harness.onThread("closer", () -> tracker.closed(socket));
        detector.scan();

        assertEquals(1, listener.outcomes.size());
        LeakOutcome outcome = listener.outcomes.get(0);
        assertEquals(LeakOutcome.Kind.CLOSED, outcome.kind());
        assertSame(leak, outcome.leak());
        assertEquals("closer", outcome.thread());
        assertEquals(leak.detectedNanos() + 5 * SECOND, outcome.atNanos());
        assertEquals(leak.detectedEpochMillis() + 5_000, outcome.atEpochMillis());
        assertEquals(5 * SECOND, outcome.leakedForNanos());

        tracker.closed(socket);
        clock.advance(GRACE);
        detector.scan();
        assertEquals(1, listener.outcomes.size(), "a second close() is not news");
        assertEquals(1, listener.leaks.size());
        assertEquals(0, tracker.trackedCount());
    }

    @Test
    void countsOnlyTheFirstEndOfStream() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        long firstEof = clock.nanoTime();
        clock.advance(Duration.ofSeconds(10));
        Harness.onThread("second-reader", () -> tracker.endOfStream(socket));
        clock.advanceNanos(harness.graceNanos() - 10 * SECOND);

        detector.scan();

        assertEquals(1, listener.leaks.size(), "the deadline counts from the first EOF");
        Leak leak = listener.leaks.get(0);
        assertEquals(firstEof, leak.endOfStream().nanoTime());
        assertEquals(Thread.currentThread().getName(), leak.endOfStream().thread());
        assertEquals(harness.graceNanos(), leak.sinceEndOfStreamNanos());
    }

    @Test
    void ignoresEndOfStreamAfterTheApplicationShutItsInputDown() {
        Object socket = harness.open();
        tracker.inputShutdown(socket);
        tracker.endOfStream(socket);

        for (int i = 0; i < 3; i++) {
            clock.advance(GRACE);
            detector.scan();
        }

        assertNull(harness.tracked(socket).endOfStream());
        assertEquals(List.of(), listener.leaks);
        assertFalse(harness.watches.contains(true), "nothing to watch writes for");
    }

    @Test
    void postponesTheDeadlineWhileTheApplicationKeepsWriting() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        long eof = clock.nanoTime();
        clock.advance(Duration.ofSeconds(20));
        tracker.wrote(socket);
        long lastWrite = clock.nanoTime();

        clock.advance(Duration.ofSeconds(20));
        detector.scan();
        assertEquals(List.of(), listener.leaks, "40s after EOF but only 20s after the last write");

        clock.advanceNanos(lastWrite + harness.graceNanos() - 1 - clock.nanoTime());
        detector.scan();
        assertEquals(List.of(), listener.leaks, "one nanosecond short of grace after the last write");

        clock.advanceNanos(1);
        detector.scan();
        assertEquals(1, listener.leaks.size());
        Leak leak = listener.leaks.get(0);
        assertEquals(LeakKind.EOF_NOT_CLOSED, leak.kind());
        assertEquals(eof, leak.endOfStream().nanoTime(), "the report still says when EOF was read");
        assertEquals(20 * SECOND + harness.graceNanos(), leak.sinceEndOfStreamNanos());
    }

    @Test
    void ignoresWritesBeforeEndOfStream() {
        Object socket = harness.open();
        tracker.wrote(socket);
        clock.advance(Duration.ofSeconds(20));
        tracker.wrote(socket);
        assertEquals(Long.MIN_VALUE, harness.tracked(socket).lastWriteNanos, "no write is remembered before EOF");
        clock.advance(Duration.ofSeconds(1));
        tracker.endOfStream(socket);
        long eof = clock.nanoTime();

        clock.advanceNanos(harness.graceNanos() - 1);
        detector.scan();
        assertEquals(List.of(), listener.leaks);
        clock.advanceNanos(1);
        detector.scan();

        assertEquals(1, listener.leaks.size());
        assertEquals(eof + harness.graceNanos(), listener.leaks.get(0).detectedNanos());
    }

    @Test
    void reportsEachLeakingSocketUnderItsOwnId() {
        Object first = harness.open();
        Object second = harness.open();
        Object closedInTime = harness.open();
        long firstId = harness.tracked(first).id();
        long secondId = harness.tracked(second).id();
        tracker.endOfStream(first);
        tracker.endOfStream(second);
        tracker.endOfStream(closedInTime);
        tracker.closed(closedInTime);
        clock.advance(GRACE);

        detector.scan();

        Set<Long> ids = listener.leaks.stream().map(Leak::id).collect(Collectors.toSet());
        assertEquals(2, listener.leaks.size());
        assertEquals(Set.of(firstId, secondId), ids);
    }

    @Test
    void reportsTheTypeAndEndpointsKnownLast() {
        Object socket = harness.keep(new Object());
        tracker.opened(socket, SocketType.SOCKET, false, new Endpoints(-1, null, null));
        tracker.retype(socket, SocketType.SSL_SOCKET);
        tracker.endpoints(socket, new Endpoints(23, Harness.address(192, 168, 1, 5, 40000), null));
        tracker.endpoints(socket, new Endpoints(-1, null, Harness.address(192, 168, 1, 9, 443)));
        tracker.endOfStream(socket);
        clock.advance(GRACE);

        detector.scan();

        Leak leak = listener.leaks.get(0);
        assertEquals(SocketType.SSL_SOCKET, leak.type());
        assertEquals("client", leak.role());
        assertEquals(new Endpoints(23, Harness.address(192, 168, 1, 5, 40000), Harness.address(192, 168, 1, 9, 443)),
                leak.endpoints());
    }
}
