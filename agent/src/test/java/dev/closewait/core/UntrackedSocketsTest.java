package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.closewait.core.Harness.ENDPOINTS;
import static dev.closewait.core.Harness.address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sockets only the kernel knows, on hand-built table scans and a fake clock: CLOSE_WAIT reported with allocation
 * unknown, then closed; never the GC rule's sockets again; and when a table scan can be skipped.
 */
class UntrackedSocketsTest {

    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final long SECOND = 1_000_000_000L;
    private static final long RECHECK = 60 * SECOND;
    private static final KernelSocket LISTENER =
            new KernelSocket(3, 7000, TcpState.LISTEN, address(0, 0, 0, 0, 8080), address(0, 0, 0, 0, 0));

    private final Harness harness = new Harness(GRACE);
    private final FakeClock clock = harness.clock;
    private final SocketTracker tracker = harness.tracker;
    private final LeakDetector detector = harness.detector;
    private final RecordingListener listener = harness.listener;
    private final OwnPorts ownPorts = new OwnPorts();
    private final UntrackedSockets untracked =
            new UntrackedSockets(detector.reporter(), tracker, harness.graceNanos(), RECHECK, ownPorts);
    private final long grace = harness.graceNanos();

    {
        detector.onCollectedUnclosed(untracked::collected);
    }

    private static KernelSocket socket(int fd, long inode, TcpState state, int localPort) {
        return new KernelSocket(fd, inode, state, address(127, 0, 0, 1, localPort), address(10, 0, 0, 9, 40000 + fd));
    }

    /** Each socket sits on its own descriptor; the tables were read. */
    private static KernelSnapshot snapshot(KernelSocket... sockets) {
        return snapshot(Map.of(), sockets);
    }

    /** As {@link #snapshot(KernelSocket...)}, plus socket descriptors that have no TCP row. */
    private static KernelSnapshot snapshot(Map<Integer, Long> rowless, KernelSocket... sockets) {
        Map<Integer, Long> inodes = new HashMap<>(rowless);
        for (KernelSocket socket : sockets) {
            inodes.put(socket.fd(), socket.inode());
        }
        return new KernelSnapshot(inodes, List.of(sockets));
    }

    private void joinAt(long nanos, KernelSnapshot snapshot) {
        clock.advanceNanos(nanos - clock.nanoTime());
        untracked.join(snapshot);
    }

    private void joinEveryQuarterGraceFor(long graces, KernelSnapshot snapshot) {
        for (int i = 0; i < 4 * graces; i++) {
            joinAt(clock.nanoTime() + grace / 4, snapshot);
            detector.scan();
        }
    }

    private List<LeakKind> kinds() {
        return listener.leaks.stream().map(Leak::kind).toList();
    }

    @Test
    void reportsACloseWaitSocketOnceWithAllocationUnknownThenItsClose() {
        Object trackedSocket = harness.open();
        KernelSocket unknown = socket(30, 7001, TcpState.CLOSE_WAIT, 8080);
        KernelSnapshot leaking = snapshot(LISTENER, unknown);
        long firstSeen = clock.nanoTime();

        joinAt(firstSeen, leaking);
        joinAt(firstSeen + grace - 1, leaking);
        assertEquals(List.of(), listener.leaks);

        joinAt(firstSeen + grace, leaking);
        assertEquals(1, listener.leaks.size());
        Leak leak = listener.leaks.get(0);
        assertEquals(LeakKind.CLOSE_WAIT, leak.kind());
        assertFalse(leak.allocationKnown());
        assertNull(leak.allocation());
        assertEquals(SocketType.UNKNOWN, leak.type());
        assertEquals("accepted", leak.role(), "its local port 8080 is one this process listens on");
        assertEquals(new Endpoints(30, unknown.local(), unknown.remote()), leak.endpoints());
        assertNull(leak.openThread());
        assertNull(leak.endOfStream());
        assertEquals(-1, leak.openedEpochMillis());
        assertEquals(-1, leak.ageNanos());
        assertEquals(firstSeen + grace, leak.detectedNanos());
        assertEquals(clock.epochMillis(firstSeen), leak.kernelSinceEpochMillis());
        assertNotEquals(harness.tracked(trackedSocket).id(), leak.id(), "ids are shared with tracked sockets");

        joinEveryQuarterGraceFor(3, leaking);
        joinEveryQuarterGraceFor(1, snapshot(Map.of(30, 7001L), LISTENER)); // reset: fd still open
        assertEquals(1, listener.leaks.size(), "reported once");
        assertEquals(List.of(), listener.outcomes, "its descriptor is still open");

        long closed = clock.nanoTime() + 5 * SECOND;
        joinAt(closed, new KernelSnapshot(Map.of(3, 7000L), List.of(), false)); // listed, tables not read
        assertEquals(1, listener.outcomes.size());
        LeakOutcome outcome = listener.outcomes.get(0);
        assertEquals(LeakOutcome.Kind.CLOSED, outcome.kind());
        assertSame(leak, outcome.leak());
        assertNull(outcome.thread(), "the kernel does not say who closed it");
        assertEquals(closed, outcome.atNanos());

        joinEveryQuarterGraceFor(2, snapshot(LISTENER));
        assertEquals(1, listener.outcomes.size(), "closed once");
        assertEquals(1, listener.leaks.size());
    }

    @Test
    void callsASocketAClientWhenItsLocalPortIsNotListening() {
        KernelSnapshot leaking = snapshot(LISTENER, socket(30, 7001, TcpState.CLOSE_WAIT, 47066));

        joinAt(clock.nanoTime(), leaking);
        joinAt(clock.nanoTime() + grace, leaking);

        assertEquals(1, listener.leaks.size());
        assertEquals("client", listener.leaks.get(0).role());
    }

    @Test
    void reportsOnlySocketsInCloseWait() {
        KernelSnapshot busy = snapshot(LISTENER, socket(30, 7001, TcpState.ESTABLISHED, 8080),
                socket(31, 7002, TcpState.FIN_WAIT2, 47066), socket(32, 7003, TcpState.LAST_ACK, 8080));

        joinEveryQuarterGraceFor(3, busy);

        assertEquals(List.of(), listener.leaks);
    }

    @Test
    void leavesTheAgentsOwnServerSocketsAlone() {
        ownPorts.add(9100);
        KernelSnapshot own = snapshot(socket(30, 7001, TcpState.CLOSE_WAIT, 9100));

        joinEveryQuarterGraceFor(3, own);

        assertEquals(List.of(), listener.leaks);
    }

    /** The summary counts the application's sockets: the agent's metrics endpoint made it say "2 LISTEN" (2026-12-02). */
    @Test
    void leavesTheAgentsOwnServerSocketsOutOfTheCounts() {
        ownPorts.add(9100);
        KernelSocket ownListener = new KernelSocket(4, 7004, TcpState.LISTEN, address(0, 0, 0, 0, 9100),
                address(0, 0, 0, 0, 0));
        KernelSocket scrape = socket(31, 7005, TcpState.ESTABLISHED, 9100);
        untracked.join(snapshot(LISTENER, ownListener, scrape));
        assertEquals(Map.of(TcpState.LISTEN, 1), untracked.lastCounts());

        untracked.join(new KernelSnapshot(Map.of(3, 7000L, 4, 7004L), List.of(), false)); // the scrape closed
        assertEquals(Map.of(TcpState.LISTEN, 1), untracked.lastCounts(), "the application's listener still counted");
    }

    @Test
    void forgetsASocketClosedWithinGrace() {
        long firstSeen = clock.nanoTime();
        joinAt(firstSeen, snapshot(LISTENER, socket(30, 7001, TcpState.CLOSE_WAIT, 8080)));
        joinAt(firstSeen + grace - 1, snapshot(LISTENER));

        joinEveryQuarterGraceFor(3, snapshot(LISTENER));

        assertEquals(List.of(), listener.leaks);
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void aScanThatDidNotReadTheTablesNeitherStartsNorReportsAnything() {
        long firstSeen = clock.nanoTime();
        joinAt(firstSeen, snapshot(LISTENER, socket(30, 7001, TcpState.CLOSE_WAIT, 8080)));
        KernelSnapshot listedOnly = new KernelSnapshot(Map.of(3, 7000L, 30, 7001L), List.of(), false);

        joinAt(firstSeen + grace, listedOnly);
        joinAt(firstSeen + 2 * grace, listedOnly);
        assertEquals(List.of(), listener.leaks, "its state is not known now: the tables were not read");

        joinAt(firstSeen + 2 * grace + 1, snapshot(LISTENER, socket(30, 7001, TcpState.CLOSE_WAIT, 8080)));
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds(), "CLOSE_WAIT since the first scan that saw it");
        assertEquals(clock.epochMillis(firstSeen), listener.leaks.get(0).kernelSinceEpochMillis());
    }

    @Test
    void followsAtMostMaxUntrackedSocketsAndCountsTheRest() {
        List<KernelSocket> sockets = new ArrayList<>();
        for (int i = 0; i <= UntrackedSockets.MAX_UNTRACKED; i++) {
            sockets.add(new KernelSocket(100 + i, 100_000 + i, TcpState.CLOSE_WAIT, address(127, 0, 0, 1, 40000),
                    address(10, 0, 0, 9, 1024 + i)));
        }
        KernelSnapshot crowded = snapshot(sockets.toArray(new KernelSocket[0]));
        long firstSeen = clock.nanoTime();

        joinAt(firstSeen, crowded);
        assertEquals(1, untracked.overflow());

        joinAt(firstSeen + grace, crowded);
        assertEquals(UntrackedSockets.MAX_UNTRACKED, listener.leaks.size());
        int lastFd = 100 + UntrackedSockets.MAX_UNTRACKED;
        assertTrue(listener.leaks.stream().noneMatch(leak -> leak.endpoints().fd() == lastFd),
                "the one over the limit is not followed");

        KernelSnapshot roomForOne = snapshot(sockets.subList(1, sockets.size()).toArray(new KernelSocket[0]));
        long roomMade = firstSeen + 2 * grace;
        joinAt(roomMade, roomForOne);
        assertEquals(1, listener.outcomes.size(), "the first one was closed");
        long followed = roomMade + grace / 4;
        joinAt(followed, roomForOne);
        joinAt(followed + grace - 1, roomForOne);
        assertEquals(UntrackedSockets.MAX_UNTRACKED, listener.leaks.size());
        joinAt(followed + grace, roomForOne);
        assertEquals(UntrackedSockets.MAX_UNTRACKED + 1, listener.leaks.size(), "followed once there was room");
        assertEquals(lastFd, listener.leaks.get(listener.leaks.size() - 1).endpoints().fd());
    }

    // --- sockets reported by the GC rule whose descriptor stays open (channels have no cleaner) ---

    private void collectChannel() {
        Object channel = harness.keep(new Object());
        tracker.opened(channel, SocketType.SOCKET_CHANNEL, false, ENDPOINTS);
        harness.collect(channel);
        detector.scan();
    }

    private static KernelSocket collectedRow(TcpState state) {
        return new KernelSocket(ENDPOINTS.fd(), 5017, state, ENDPOINTS.local(), ENDPOINTS.remote());
    }

    @Test
    void doesNotReportACollectedChannelAgain() {
        collectChannel();
        assertEquals(List.of(LeakKind.GC_NOT_CLOSED), kinds());

        joinEveryQuarterGraceFor(4, snapshot(collectedRow(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED), kinds(),
                () -> "reported twice, the second time as never seen opened: " + listener.leaks);
    }

    @Test
    void doesNotReportACollectedChannelAgainWhenTheScanInFlightListedItBeforeItWasCollected() {
        long listedWhileTracked = clock.nanoTime();
        clock.advanceNanos(SECOND / 10);
        collectChannel(); // the scan in flight skipped its descriptor: it was still tracked then
        untracked.join(snapshot(LISTENER).listedAt(listedWhileTracked));

        clock.advanceNanos(SECOND / 10);
        long listedAfter = clock.nanoTime();
        for (int i = 0; i < 8; i++) {
            untracked.join(snapshot(LISTENER, collectedRow(TcpState.CLOSE_WAIT)).listedAt(listedAfter));
            detector.scan();
            clock.advanceNanos(grace / 4);
            listedAfter = clock.nanoTime();
        }

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED), kinds(),
                () -> "reported twice, the second time as never seen opened: " + listener.leaks);
    }

    @Test
    void doesNotReportACollectedChannelAgainWhenAScanListedItBeforeTheDetectorTookItOffTheTracker() {
        Object channel = harness.keep(new Object());
        tracker.opened(channel, SocketType.SOCKET_CHANNEL, false, ENDPOINTS);
        harness.collect(channel);
        // A scan in the window between the collection and the detector's next round: the descriptor is listed,
        // and (before the fix) was taken for a socket the agent never saw opened.
        untracked.join(snapshot(LISTENER, collectedRow(TcpState.CLOSE_WAIT)));
        detector.scan(); // reports gc-not-closed and tells the kernel view

        joinEveryQuarterGraceFor(4, snapshot(LISTENER, collectedRow(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED), kinds(),
                () -> "reported twice, the second time as never seen opened: " + listener.leaks);
    }

    @Test
    void countsACollectedChannelInItsLastKnownStateUntilATableScanHasLookedForIt() {
        Object channel = harness.keep(new Object());
        tracker.opened(channel, SocketType.SOCKET_CHANNEL, false, ENDPOINTS);
        tracker.endOfStream(channel); // its peer closed
        harness.collect(channel);
        detector.scan(); // gc-not-closed; a channel keeps its descriptor

        assertEquals(Map.of(TcpState.CLOSE_WAIT, 1), untracked.lastCounts(),
                "the summary that follows the report still counts it");

        clock.advanceNanos(SECOND);
        untracked.join(snapshot(LISTENER, collectedRow(TcpState.CLOSE_WAIT)).listedAt(clock.nanoTime()));
        assertEquals(Map.of(TcpState.CLOSE_WAIT, 1, TcpState.LISTEN, 1), untracked.lastCounts(),
                "once the tables show it, counted from them, and once");
    }

    @Test
    void doesNotCountACollectedSocketWhoseDescriptorTheCleanerCloses() {
        Object socket = harness.keep(new Object());
        tracker.opened(socket, SocketType.SOCKET, false, ENDPOINTS);
        harness.collect(socket);
        detector.scan();

        assertEquals(Map.of(), untracked.lastCounts());
    }

    @Test
    void stillReportsAnUnknownSocketWithOtherPortsOnTheDescriptorOfACollectedOne() {
        collectChannel();
        KernelSocket reusedFd = new KernelSocket(ENDPOINTS.fd(), 5018, TcpState.CLOSE_WAIT,
                address(127, 0, 0, 1, 9090), address(10, 0, 0, 9, 40000));
        long firstSeen = clock.nanoTime();

        joinAt(firstSeen, snapshot(reusedFd)); // the cleaner closed fd 17; a socket the agent missed got it
        joinAt(firstSeen + grace, snapshot(reusedFd));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED, LeakKind.CLOSE_WAIT), kinds());
        assertFalse(listener.leaks.get(1).allocationKnown());
    }

    @Test
    void looksForACollectedSocketOnlyInTheNextTableScan() {
        collectChannel();
        joinAt(clock.nanoTime(), snapshot(LISTENER)); // its descriptor was closed

        KernelSocket sameFdAndPorts = new KernelSocket(ENDPOINTS.fd(), 5018, TcpState.CLOSE_WAIT, ENDPOINTS.local(),
                ENDPOINTS.remote());
        long firstSeen = clock.nanoTime() + SECOND;
        joinAt(firstSeen, snapshot(LISTENER, sameFdAndPorts));
        joinAt(firstSeen + grace, snapshot(LISTENER, sameFdAndPorts));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED, LeakKind.CLOSE_WAIT), kinds());
    }

    // --- whether a table scan is needed ---

    @Test
    void needsTheTablesForANewSocketListedTwiceAndOneThatCanStillLeak() {
        long now = clock.nanoTime();
        assertFalse(untracked.needsTables(Map.of(3, 7000L), now), "listed once: it may be a connection in flight");
        assertTrue(untracked.needsTables(Map.of(3, 7000L), now), "listed twice: never seen by a table scan");
        assertFalse(untracked.needsTables(Map.of(), now), "no untracked socket at all");

        joinAt(now, snapshot(LISTENER, socket(30, 7001, TcpState.ESTABLISHED, 47066)));

        assertFalse(untracked.needsTables(Map.of(3, 7000L), now), "a listener stays a listener");
        assertTrue(untracked.needsTables(Map.of(3, 7000L, 30, 7001L), now),
                "a connection a table scan met may go to CLOSE_WAIT");
        assertFalse(untracked.needsTables(Map.of(3, 7000L, 31, 7002L), now), "a new one, listed once");
        assertTrue(untracked.needsTables(Map.of(3, 7000L, 31, 7002L), now), "the new one again");
    }

    @Test
    void aChurningApplicationsSocketsInFlightNeverMakeItReadTheTables() {
        joinAt(clock.nanoTime(), snapshot(LISTENER));
        long inode = 8000;
        for (int listing = 0; listing < 100; listing++) {
            // each listing catches a connection or two between socket(2) and the hook that tracks it, never the same
            Map<Integer, Long> listed = Map.of(3, 7000L, 40, inode++, 41, inode++);
            assertFalse(untracked.needsTables(listed, clock.nanoTime()), "listing " + listing);
        }
    }

    @Test
    void needsNoTablesForAReportedOrCollectedSocket() {
        collectChannel();
        KernelSnapshot leaking = snapshot(collectedRow(TcpState.CLOSE_WAIT), socket(30, 7001, TcpState.CLOSE_WAIT, 1));
        long firstSeen = clock.nanoTime();
        joinAt(firstSeen, leaking);
        assertTrue(untracked.needsTables(leaking.socketInodesByFd(), firstSeen), "pending: its grace runs");
        assertEquals(firstSeen + grace, untracked.nextDeadlineNanos());

        joinAt(firstSeen + grace, leaking);

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED, LeakKind.CLOSE_WAIT), kinds());
        assertFalse(untracked.needsTables(leaking.socketInodesByFd(), clock.nanoTime()));
        assertEquals(Long.MAX_VALUE, untracked.nextDeadlineNanos());
    }

    @Test
    void looksAtASocketWithoutARowAgainOnlyAfterTheRecheckPeriod() {
        long seen = clock.nanoTime();
        joinAt(seen, snapshot(Map.of(40, 9040L))); // UDP, Unix, or a TCP socket not connected yet

        assertFalse(untracked.needsTables(Map.of(40, 9040L), seen + RECHECK - 1));
        assertTrue(untracked.needsTables(Map.of(40, 9040L), seen + RECHECK));

        joinAt(seen + RECHECK, snapshot(socket(40, 9040, TcpState.CLOSE_WAIT, 47066))); // it connected meanwhile
        joinAt(seen + RECHECK + grace, snapshot(socket(40, 9040, TcpState.CLOSE_WAIT, 47066)));
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
    }

    // --- summary and suspects ---

    @Test
    void countsTheStatesOfTheLastTableScanAndKnowsTheListeningPorts() {
        untracked.join(snapshot(LISTENER, socket(30, 7001, TcpState.ESTABLISHED, 8080)));
        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.ESTABLISHED, 1), untracked.lastCounts());
        assertTrue(untracked.isListening(8080));
        assertFalse(untracked.isListening(40030), "a client's local port");

        untracked.join(new KernelSnapshot(Map.of(3, 7000L), List.of(), false));
        assertEquals(Map.of(TcpState.LISTEN, 1), untracked.lastCounts(), "a scan that did not read the tables keeps "
                + "the last state of what it listed and drops what it no longer lists (closed, or tracked since)");
        assertTrue(untracked.isListening(8080));

        untracked.join(new KernelSnapshot(Map.of(), List.of(), false));
        assertEquals(Map.of(), untracked.lastCounts());
        assertFalse(untracked.isListening(8080), "its descriptor is closed");
    }

    /**
     * A burst of connects whose sockets a table read met before they were tracked: the summary counted them in
     * SYN_SENT long after they were tracked (2026-12-02). The next listing, without the tables, drops them.
     */
    @Test
    void socketsTrackedSinceTheLastTableReadAreNoLongerCounted() {
        untracked.join(snapshot(LISTENER, socket(30, 7001, TcpState.SYN_SENT, 40030),
                socket(31, 7002, TcpState.SYN_SENT, 40031), socket(32, 7003, TcpState.CLOSE_WAIT, 40032)));
        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.SYN_SENT, 2, TcpState.CLOSE_WAIT, 1),
                untracked.lastCounts());

        untracked.join(new KernelSnapshot(Map.of(3, 7000L, 32, 7003L), List.of(), false));

        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.CLOSE_WAIT, 1), untracked.lastCounts());
    }

    @Test
    void listsReportedThenPendingSocketsAsSuspects() {
        KernelSnapshot first = snapshot(socket(30, 7001, TcpState.CLOSE_WAIT, 1));
        long seen = clock.nanoTime();
        joinAt(seen, first);
        joinAt(seen + grace, snapshot(socket(30, 7001, TcpState.CLOSE_WAIT, 1), socket(31, 7002, TcpState.CLOSE_WAIT, 1)));

        List<Suspect> suspects = new ArrayList<>();
        untracked.addSuspects(suspects, 10);

        assertEquals(List.of(Suspect.Status.LEAKED, Suspect.Status.PENDING),
                suspects.stream().map(Suspect::status).sorted().toList());
        List<Suspect> one = new ArrayList<>();
        untracked.addSuspects(one, 1);
        assertEquals(1, one.size(), "at most the limit");
    }
}
