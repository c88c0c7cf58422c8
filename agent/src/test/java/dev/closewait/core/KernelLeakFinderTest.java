package dev.closewait.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
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
 * What only the kernel can tell, on hand-built snapshots and a fake clock: sockets in CLOSE_WAIT that never read
 * EOF, connections gone under an open descriptor, and CLOSE_WAIT sockets the agent never saw opened.
 */
class KernelLeakFinderTest {

    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final long SECOND = 1_000_000_000L;
    /** The socket inode behind the tracked socket's descriptor, {@link Harness#ENDPOINTS}' fd 17. */
    private static final long INODE = 5017;
    private static final int FD = ENDPOINTS.fd();
    private static final KernelSocket LISTENER =
            new KernelSocket(3, 7000, TcpState.LISTEN, address(0, 0, 0, 0, 8080), address(0, 0, 0, 0, 0));

    private final Harness harness = new Harness(GRACE);
    private final FakeClock clock = harness.clock;
    private final SocketTracker tracker = harness.tracker;
    private final LeakDetector detector = harness.detector;
    private final RecordingListener listener = harness.listener;
    private final KernelLeakFinder finder = new KernelLeakFinder(detector);
    private final long grace = harness.graceNanos();

    /** The tracked socket's row in the TCP tables. */
    private static KernelSocket tracked(TcpState state) {
        return new KernelSocket(FD, INODE, state, ENDPOINTS.local(), ENDPOINTS.remote());
    }

    /** A socket the agent never saw opened, on descriptor {@code fd}. */
    private static KernelSocket untracked(int fd, long inode, TcpState state, int localPort) {
        return new KernelSocket(fd, inode, state, address(127, 0, 0, 1, localPort), address(10, 0, 0, 9, 40000 + fd));
    }

    /** Each socket sits on its own descriptor; nothing else is open. */
    private static KernelSnapshot snapshot(KernelSocket... sockets) {
        return snapshot(Map.of(), sockets);
    }

    /** As {@link #snapshot(KernelSocket...)}, plus socket descriptors that have no TCP row. */
    private static KernelSnapshot snapshot(Map<Integer, Long> rowlessDescriptors, KernelSocket... sockets) {
        Map<Integer, Long> inodes = new HashMap<>(rowlessDescriptors);
        for (KernelSocket socket : sockets) {
            inodes.put(socket.fd(), socket.inode());
        }
        return new KernelSnapshot(inodes, List.of(sockets));
    }

    /** Moves the clock to {@code nanos} and scans. */
    private void scanAt(long nanos, KernelSnapshot snapshot) {
        clock.advanceNanos(nanos - clock.nanoTime());
        finder.scan(snapshot);
    }

    private void scanEveryQuarterGraceFor(long graces, KernelSnapshot snapshot) {
        for (int i = 0; i < 4 * graces; i++) {
            clock.advanceNanos(grace / 4);
            finder.scan(snapshot);
            detector.scan();
        }
    }

    private List<LeakKind> kinds() {
        return listener.leaks.stream().map(Leak::kind).toList();
    }

    // --- close-wait: tracked sockets that never read EOF ---

    @Test
    void reportsCloseWaitOnceGraceAfterTheFirstScanThatSawItNotBefore() {
        Object socket = harness.open();
        long opened = clock.nanoTime();
        scanAt(opened, snapshot(tracked(TcpState.ESTABLISHED)));
        long closeWaitSeen = opened + 20 * SECOND;
        scanAt(closeWaitSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));

        scanAt(closeWaitSeen + grace - 1, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(List.of(), listener.leaks, "one nanosecond short of grace, though open for longer than that");

        scanAt(closeWaitSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(1, listener.leaks.size());
        Leak leak = listener.leaks.get(0);
        assertEquals(LeakKind.CLOSE_WAIT, leak.kind());
        assertEquals(harness.tracked(socket).id(), leak.id());
        assertEquals(SocketType.SOCKET, leak.type());
        assertTrue(leak.accepted());
        assertEquals(ENDPOINTS, leak.endpoints());
        assertTrue(leak.allocationKnown());
        assertNull(leak.endOfStream());
        assertEquals(opened, leak.openedNanos());
        assertEquals(closeWaitSeen + grace, leak.detectedNanos());
        assertEquals(clock.epochMillis(closeWaitSeen), leak.kernelSinceEpochMillis());
        assertEquals(20 * SECOND + grace, leak.ageNanos());

        scanEveryQuarterGraceFor(3, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(1, listener.leaks.size(), "a socket is reported once");
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void postponesCloseWaitWhileTheApplicationWritesAfterItWasSeen() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        scanAt(closeWaitSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        clock.advance(Duration.ofSeconds(10));
        tracker.wrote(socket);
        long lastWrite = clock.nanoTime();

        scanAt(closeWaitSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(List.of(), listener.leaks, "grace after CLOSE_WAIT, but only 20s after the last write");
        scanAt(lastWrite + grace - 1, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(List.of(), listener.leaks);

        scanAt(lastWrite + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
        assertEquals(clock.epochMillis(closeWaitSeen), listener.leaks.get(0).kernelSinceEpochMillis(),
                "the report still says when CLOSE_WAIT was first seen");
    }

    @Test
    void ignoresWritesFromBeforeTheKernelShowedCloseWait() {
        Object socket = harness.open();
        scanAt(clock.nanoTime(), snapshot(tracked(TcpState.ESTABLISHED)));
        clock.advance(Duration.ofSeconds(10));
        tracker.wrote(socket);
        assertEquals(TrackedSocket.NEVER, harness.tracked(socket).lastWriteNanos, "an ordinary write, not watched");
        long closeWaitSeen = clock.nanoTime() + SECOND;

        scanAt(closeWaitSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        scanAt(closeWaitSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
    }

    @Test
    void watchesWritesWhileACloseWaitSocketIsWithinGrace() {
        harness.open();
        long closeWaitSeen = clock.nanoTime();

        scanAt(closeWaitSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(List.of(true), harness.watches, "told at once");
        detector.scan();
        assertEquals(Boolean.TRUE, harness.lastWatch(), "the detector keeps watching for the kernel");

        scanAt(closeWaitSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));
        detector.scan();
        assertEquals(1, listener.leaks.size());
        assertEquals(Boolean.FALSE, harness.lastWatch(), "reported: nothing left to watch");
    }

    @Test
    void neverReportsASocketThatReadEndOfStreamAsCloseWait() {
        Object socket = harness.open();
        tracker.endOfStream(socket);

        scanEveryQuarterGraceFor(4, snapshot(tracked(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.EOF_NOT_CLOSED), kinds(), "one kind per socket: the EOF rule's");
    }

    @Test
    void leavesASocketThatReadEndOfStreamAfterCloseWaitWasSeenToTheEndOfStreamRule() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        scanAt(closeWaitSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        clock.advanceNanos(grace / 2);
        tracker.endOfStream(socket);
        long eof = clock.nanoTime();

        scanAt(closeWaitSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));
        detector.scan();
        assertEquals(List.of(), listener.leaks, "CLOSE_WAIT for grace, but EOF was read since");

        clock.advanceNanos(eof + grace - clock.nanoTime());
        detector.scan();
        finder.scan(snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(List.of(LeakKind.EOF_NOT_CLOSED), kinds());
    }

    @Test
    void staysSilentAboutASocketClosedWithinGrace() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        scanAt(closeWaitSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        clock.advanceNanos(grace - 1);
        tracker.closed(socket);

        finder.scan(snapshot(tracked(TcpState.CLOSE_WAIT))); // read from /proc just before the close
        scanEveryQuarterGraceFor(3, snapshot(LISTENER));

        assertEquals(List.of(), listener.leaks);
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void restartsGraceWhenTheSocketLeavesCloseWait() {
        harness.open();
        long firstSeen = clock.nanoTime();
        scanAt(firstSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        scanAt(firstSeen + grace / 2, snapshot(tracked(TcpState.ESTABLISHED)));
        long seenAgain = firstSeen + grace / 2 + 1;
        scanAt(seenAgain, snapshot(tracked(TcpState.CLOSE_WAIT)));

        scanAt(firstSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));
        scanAt(seenAgain + grace - 1, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(List.of(), listener.leaks);

        scanAt(seenAgain + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
        assertEquals(clock.epochMillis(seenAgain), listener.leaks.get(0).kernelSinceEpochMillis());
    }

    @Test
    void reportsTheCloseThatFollowsACloseWaitReport() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        scanAt(closeWaitSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        scanAt(closeWaitSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));
        clock.advance(Duration.ofSeconds(5));

        Harness.onThread("closer", () -> tracker.closed(socket));
        detector.scan();
        finder.scan(snapshot(LISTENER));

        assertEquals(1, listener.outcomes.size());
        LeakOutcome outcome = listener.outcomes.get(0);
        assertEquals(LeakOutcome.Kind.CLOSED, outcome.kind());
        assertSame(listener.leaks.get(0), outcome.leak());
        assertEquals("closer", outcome.thread());
        assertEquals(5 * SECOND, outcome.leakedForNanos());
    }

    // --- joining: a tracked socket and a row are the same socket only on the same descriptor and ports ---

    @ParameterizedTest(name = "kernel shows local port {0}, remote port {1}")
    @CsvSource({"9090, 51234", "8080, 40000", "9090, 40000"})
    void doesNotJoinARowWhosePortsDifferFromTheTrackedSockets(int localPort, int remotePort) {
        Object socket = harness.open();
        KernelSocket other = new KernelSocket(FD, INODE, TcpState.CLOSE_WAIT,
                new InetSocketAddress(ENDPOINTS.local().getAddress(), localPort),
                new InetSocketAddress(ENDPOINTS.remote().getAddress(), remotePort));

        scanAt(clock.nanoTime(), snapshot(other));
        scanEveryQuarterGraceFor(2, snapshot(other));
        scanEveryQuarterGraceFor(2, snapshot(Map.of(FD, INODE))); // then its row goes: not this socket's either

        assertEquals(-1, harness.tracked(socket).kernelInode, "never joined");
        assertFalse(kinds().contains(LeakKind.RESET_NOT_CLOSED));
        assertTrue(listener.leaks.stream().noneMatch(leak -> leak.id() == harness.tracked(socket).id()),
                () -> "reported the tracked socket for another socket's state: " + listener.leaks);
    }

    @Test
    void joinsARowWhenTheTrackedSocketsAddressesAreUnknown() {
        Object socket = harness.keep(new Object());
        tracker.opened(socket, SocketType.SOCKET_CHANNEL, false, new Endpoints(FD, null, null));
        long closeWaitSeen = clock.nanoTime();

        scanAt(closeWaitSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        scanAt(closeWaitSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
        assertEquals(harness.tracked(socket).id(), listener.leaks.get(0).id());
        assertTrue(listener.leaks.get(0).allocationKnown());
    }

    // --- reset-not-closed: the descriptor is open, the connection is gone ---

    @Test
    void reportsResetNotClosedWhenTheDescriptorKeepsItsInodeButTheRowIsGoneForGrace() {
        Object socket = harness.open();
        scanAt(clock.nanoTime(), snapshot(tracked(TcpState.ESTABLISHED)));
        clock.advance(Duration.ofSeconds(3));
        long gone = clock.nanoTime();
        KernelSnapshot rowless = snapshot(Map.of(FD, INODE), LISTENER);

        scanAt(gone, rowless);
        scanAt(gone + grace - 1, rowless);
        assertEquals(List.of(), listener.leaks);

        scanAt(gone + grace, rowless);
        assertEquals(List.of(LeakKind.RESET_NOT_CLOSED), kinds());
        Leak leak = listener.leaks.get(0);
        assertEquals(harness.tracked(socket).id(), leak.id());
        assertEquals(ENDPOINTS, leak.endpoints());
        assertTrue(leak.allocationKnown());
        assertEquals(clock.epochMillis(gone), leak.kernelSinceEpochMillis());
        assertEquals(gone + grace, leak.detectedNanos());

        scanEveryQuarterGraceFor(3, rowless);
        assertEquals(1, listener.leaks.size(), "reported once");
    }

    @Test
    void restartsResetGraceWhenTheRowComesBack() {
        harness.open();
        scanAt(clock.nanoTime(), snapshot(tracked(TcpState.ESTABLISHED)));
        long firstGone = clock.nanoTime() + SECOND;
        scanAt(firstGone, snapshot(Map.of(FD, INODE)));
        scanAt(firstGone + SECOND, snapshot(tracked(TcpState.ESTABLISHED))); // one table read missed the row
        long goneAgain = firstGone + 2 * SECOND;
        scanAt(goneAgain, snapshot(Map.of(FD, INODE)));

        scanAt(firstGone + grace, snapshot(Map.of(FD, INODE)));
        assertEquals(List.of(), listener.leaks);
        scanAt(goneAgain + grace, snapshot(Map.of(FD, INODE)));
        assertEquals(List.of(LeakKind.RESET_NOT_CLOSED), kinds());
        assertEquals(clock.epochMillis(goneAgain), listener.leaks.get(0).kernelSinceEpochMillis());
    }

    @Test
    void staysSilentWhenTheDescriptorNowHoldsAnotherSocket() {
        harness.open();
        scanAt(clock.nanoTime(), snapshot(tracked(TcpState.ESTABLISHED)));

        scanEveryQuarterGraceFor(3, snapshot(Map.of(FD, INODE + 1)));

        assertEquals(List.of(), listener.leaks, "fd 17 was closed and reused without the agent seeing it");
    }

    @Test
    void staysSilentWhenTheDescriptorIsGone() {
        harness.open();
        scanAt(clock.nanoTime(), snapshot(tracked(TcpState.ESTABLISHED)));

        scanEveryQuarterGraceFor(3, snapshot(LISTENER));

        assertEquals(List.of(), listener.leaks);
    }

    @Test
    void staysSilentAboutASocketTheKernelNeverListed() {
        harness.open();

        scanEveryQuarterGraceFor(3, snapshot(Map.of(FD, INODE)));
        scanEveryQuarterGraceFor(3, snapshot(LISTENER));

        assertEquals(List.of(), listener.leaks, "never seen connected: nothing to have lost");
    }

    @Test
    void leavesAResetSocketThatReadEndOfStreamToTheEndOfStreamRule() {
        Object socket = harness.open();
        long joined = clock.nanoTime();
        scanAt(joined, snapshot(tracked(TcpState.CLOSE_WAIT)));
        scanAt(joined + SECOND, snapshot(Map.of(FD, INODE)));
        clock.advance(Duration.ofSeconds(1));
        tracker.endOfStream(socket); // after the row went: the reset deadline comes first
        long eof = clock.nanoTime();

        scanAt(joined + SECOND + grace, snapshot(Map.of(FD, INODE)));
        detector.scan();
        assertEquals(List.of(), listener.leaks, "gone for grace, but EOF was read: the EOF rule decides");

        scanAt(eof + grace, snapshot(Map.of(FD, INODE)));
        detector.scan();
        assertEquals(List.of(LeakKind.EOF_NOT_CLOSED), kinds());
    }

    // --- sockets the agent never saw opened ---

    @Test
    void reportsAnUntrackedCloseWaitSocketOnceWithAllocationUnknownThenItsClose() {
        Object trackedSocket = harness.open();
        KernelSocket unknown = untracked(30, 7001, TcpState.CLOSE_WAIT, 8080);
        KernelSnapshot leaking = snapshot(LISTENER, tracked(TcpState.ESTABLISHED), unknown);
        long firstSeen = clock.nanoTime();

        scanAt(firstSeen, leaking);
        scanAt(firstSeen + grace - 1, leaking);
        assertEquals(List.of(), listener.leaks);

        scanAt(firstSeen + grace, leaking);
        assertEquals(1, listener.leaks.size());
        Leak leak = listener.leaks.get(0);
        assertEquals(LeakKind.CLOSE_WAIT, leak.kind());
        assertFalse(leak.allocationKnown());
        assertNull(leak.allocation());
        assertEquals(SocketType.UNKNOWN, leak.type());
        assertEquals("accepted", leak.role(), "its local port 8080 is one this process listens on");
        assertEquals(new Endpoints(30, unknown.local(), unknown.remote()), leak.endpoints());
        assertNull(leak.openThread());
        assertNull(leak.thread());
        assertNull(leak.endOfStream());
        assertEquals(-1, leak.openedEpochMillis());
        assertEquals(-1, leak.ageNanos());
        assertEquals(-1, leak.endOfStreamEpochMillis());
        assertEquals(firstSeen + grace, leak.detectedNanos());
        assertEquals(clock.epochMillis(firstSeen + grace), leak.detectedEpochMillis());
        assertEquals(clock.epochMillis(firstSeen), leak.kernelSinceEpochMillis());
        assertNotEquals(harness.tracked(trackedSocket).id(), leak.id(), "ids are shared with tracked sockets");

        scanEveryQuarterGraceFor(3, leaking);
        scanEveryQuarterGraceFor(1, snapshot(Map.of(30, 7001L), LISTENER)); // reset: fd still open
        assertEquals(1, listener.leaks.size(), "reported once");
        assertEquals(List.of(), listener.outcomes, "its descriptor is still open");

        long closed = clock.nanoTime() + 5 * SECOND;
        scanAt(closed, snapshot(LISTENER, tracked(TcpState.ESTABLISHED)));
        assertEquals(1, listener.outcomes.size());
        LeakOutcome outcome = listener.outcomes.get(0);
        assertEquals(LeakOutcome.Kind.CLOSED, outcome.kind());
        assertSame(leak, outcome.leak());
        assertNull(outcome.thread(), "the kernel does not say who closed it");
        assertEquals(closed, outcome.atNanos());
        assertEquals(clock.epochMillis(closed), outcome.atEpochMillis());

        scanEveryQuarterGraceFor(2, snapshot(LISTENER, tracked(TcpState.ESTABLISHED)));
        assertEquals(1, listener.outcomes.size(), "closed once");
        assertEquals(1, listener.leaks.size());
    }

    @Test
    void callsAnUntrackedSocketAClientWhenItsLocalPortIsNotListening() {
        KernelSocket unknown = untracked(30, 7001, TcpState.CLOSE_WAIT, 47066);
        KernelSnapshot leaking = snapshot(LISTENER, unknown);

        scanAt(clock.nanoTime(), leaking);
        scanAt(clock.nanoTime() + grace, leaking);

        assertEquals(1, listener.leaks.size());
        assertFalse(listener.leaks.get(0).accepted());
        assertEquals("client", listener.leaks.get(0).role());
    }

    @Test
    void reportsOnlyUntrackedSocketsInCloseWait() {
        KernelSnapshot busy = snapshot(LISTENER, untracked(30, 7001, TcpState.ESTABLISHED, 8080),
                untracked(31, 7002, TcpState.FIN_WAIT2, 47066), untracked(32, 7003, TcpState.LAST_ACK, 8080));

        scanEveryQuarterGraceFor(3, busy);

        assertEquals(List.of(), listener.leaks);
    }

    @Test
    void forgetsAnUntrackedSocketClosedWithinGrace() {
        long firstSeen = clock.nanoTime();
        scanAt(firstSeen, snapshot(LISTENER, untracked(30, 7001, TcpState.CLOSE_WAIT, 8080)));
        scanAt(firstSeen + grace - 1, snapshot(LISTENER));

        scanEveryQuarterGraceFor(3, snapshot(LISTENER));

        assertEquals(List.of(), listener.leaks);
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void doesNotReportAReportedSocketStillInCloseWaitAgainAsUntracked() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        clock.advance(GRACE);
        detector.scan();
        assertEquals(List.of(LeakKind.EOF_NOT_CLOSED), kinds());

        scanEveryQuarterGraceFor(4, snapshot(tracked(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.EOF_NOT_CLOSED), kinds());
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void followsAtMostMaxUntrackedSocketsAndCountsTheRest() {
        List<KernelSocket> sockets = new ArrayList<>();
        for (int i = 0; i <= KernelLeakFinder.MAX_UNTRACKED; i++) {
            sockets.add(new KernelSocket(100 + i, 100_000 + i, TcpState.CLOSE_WAIT, address(127, 0, 0, 1, 40000),
                    address(10, 0, 0, 9, 1024 + i)));
        }
        KernelSnapshot crowded = snapshot(sockets.toArray(new KernelSocket[0]));
        long firstSeen = clock.nanoTime();

        scanAt(firstSeen, crowded);
        assertEquals(1, finder.untrackedOverflow());

        scanAt(firstSeen + grace, crowded);
        assertEquals(KernelLeakFinder.MAX_UNTRACKED, listener.leaks.size());
        int lastFd = 100 + KernelLeakFinder.MAX_UNTRACKED;
        assertTrue(listener.leaks.stream().noneMatch(leak -> leak.endpoints().fd() == lastFd),
                "the one over the limit is not followed");

        KernelSnapshot roomForOne = snapshot(sockets.subList(1, sockets.size()).toArray(new KernelSocket[0]));
        long roomMade = firstSeen + 2 * grace;
        scanAt(roomMade, roomForOne);
        assertEquals(1, listener.outcomes.size(), "the first one was closed");
        long followed = roomMade + grace / 4;
        scanAt(followed, roomForOne);
        scanAt(followed + grace - 1, roomForOne);
        assertEquals(KernelLeakFinder.MAX_UNTRACKED, listener.leaks.size());
        scanAt(followed + grace, roomForOne);
        assertEquals(KernelLeakFinder.MAX_UNTRACKED + 1, listener.leaks.size(), "followed once there was room");
        assertEquals(lastFd, listener.leaks.get(listener.leaks.size() - 1).endpoints().fd());
    }

    // --- the socket states summary ---

    @Test
    void sendsTheSocketStatesSummaryOnceAfterAScanThatFollowedNewReports() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        KernelSnapshot first = snapshot(LISTENER, tracked(TcpState.CLOSE_WAIT));
        scanAt(clock.nanoTime(), first);
        assertEquals(List.of(), listener.socketStates, "nothing reported yet");

        clock.advance(GRACE);
        detector.scan();
        finder.scan(first);
        assertEquals(List.of(Map.of(TcpState.LISTEN, 1, TcpState.CLOSE_WAIT, 1)), listener.socketStates);

        finder.scan(first);
        clock.advance(GRACE);
        finder.scan(first);
        tracker.closed(socket);
        detector.scan();
        finder.scan(snapshot(LISTENER));
        assertEquals(1, listener.outcomes.size());
        assertEquals(1, listener.socketStates.size(), "quiet scans and closes send no summary");

        KernelSocket unknown = untracked(30, 7001, TcpState.CLOSE_WAIT, 8080);
        KernelSnapshot second = snapshot(LISTENER, unknown, untracked(31, 7002, TcpState.ESTABLISHED, 8080));
        long firstSeen = clock.nanoTime();
        scanAt(firstSeen, second);
        scanAt(firstSeen + grace, second);
        assertEquals(2, listener.leaks.size());
        assertEquals(List.of(Map.of(TcpState.LISTEN, 1, TcpState.CLOSE_WAIT, 1),
                Map.of(TcpState.LISTEN, 1, TcpState.CLOSE_WAIT, 1, TcpState.ESTABLISHED, 1)),
                listener.socketStates, "the scan that reported sends the summary itself");
        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.CLOSE_WAIT, 1, TcpState.ESTABLISHED, 1), finder.lastCounts());

        scanEveryQuarterGraceFor(2, second);
        assertEquals(2, listener.socketStates.size());
    }

    @Test
    void keepsScanningWhenTheSummaryListenerThrows() {
        RecordingListener recording = new RecordingListener();
        Harness throwing = new Harness(GRACE, new LeakListener() {
            @Override
            public void leakDetected(Leak leak) {
                recording.leakDetected(leak);
            }

            @Override
            public void leakResolved(LeakOutcome outcome) {
                recording.leakResolved(outcome);
            }

            @Override
            public void socketStates(Map<TcpState, Integer> countsByState) {
                throw new IllegalStateException("sink down");
            }
        });
        KernelLeakFinder throwingFinder = new KernelLeakFinder(throwing.detector);
        KernelSnapshot leaking = snapshot(untracked(30, 7001, TcpState.CLOSE_WAIT, 8080),
                untracked(31, 7002, TcpState.CLOSE_WAIT, 8080));
        throwingFinder.scan(leaking);
        throwing.clock.advance(GRACE);

        throwingFinder.scan(leaking);
        throwing.clock.advance(GRACE);
        throwingFinder.scan(snapshot());

        assertEquals(2, recording.leaks.size());
        assertEquals(2, recording.outcomes.size());
        assertEquals(Map.of(), throwingFinder.lastCounts());
    }

    // --- sockets reported by the GC rule whose descriptor stays open (channels have no cleaner) ---

    /** Opens a SocketChannel on {@link Harness#ENDPOINTS} and lets the garbage collector take it. */
    private Object collectedChannel(Runnable beforeCollection) {
        Object channel = harness.keep(new Object());
        tracker.opened(channel, SocketType.SOCKET_CHANNEL, false, ENDPOINTS);
        beforeCollection.run();
        harness.collect(channel);
        return channel;
    }

    @Test
    void doesNotReportACollectedChannelAgainAsUntracked() {
        collectedChannel(() -> scanAt(clock.nanoTime(), snapshot(tracked(TcpState.ESTABLISHED))));
        detector.scan();
        assertEquals(List.of(LeakKind.GC_NOT_CLOSED), kinds());

        scanEveryQuarterGraceFor(4, snapshot(tracked(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED), kinds(),
                () -> "reported twice, the second time as never seen opened: " + listener.leaks);
    }

    @Test
    void doesNotReportAChannelCollectedBeforeAnyScanSawItAgainAsUntracked() {
        collectedChannel(() -> { });
        finder.scan(snapshot(tracked(TcpState.CLOSE_WAIT))); // collected, but the detector has not noticed yet
        detector.scan();

        scanEveryQuarterGraceFor(4, snapshot(tracked(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED), kinds(), () -> listener.leaks.toString());
    }

    @Test
    void doesNotReportAReportedChannelCollectedLaterAgainAsUntracked() {
        Object channel = harness.keep(new Object());
        tracker.opened(channel, SocketType.SOCKET_CHANNEL, false, ENDPOINTS);
        tracker.endOfStream(channel);
        clock.advance(GRACE);
        detector.scan();
        harness.collect(channel);
        detector.scan();
        assertEquals(List.of(LeakOutcome.Kind.COLLECTED), listener.outcomes.stream().map(LeakOutcome::kind).toList());

        scanEveryQuarterGraceFor(4, snapshot(tracked(TcpState.CLOSE_WAIT)));

        assertEquals(List.of(LeakKind.EOF_NOT_CLOSED), kinds(), () -> listener.leaks.toString());
    }

    @Test
    void stillReportsAnUnknownSocketOnTheDescriptorOfACollectedOne() {
        collectedChannel(() -> { });
        detector.scan();
        KernelSocket reusedFd = new KernelSocket(FD, INODE + 1, TcpState.CLOSE_WAIT, address(127, 0, 0, 1, 9090),
                address(10, 0, 0, 9, 40000));
        long firstSeen = clock.nanoTime();

        scanAt(firstSeen, snapshot(reusedFd)); // the cleaner closed fd 17; a socket the agent missed got it
        scanAt(firstSeen + grace, snapshot(reusedFd));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED, LeakKind.CLOSE_WAIT), kinds());
        assertFalse(listener.leaks.get(1).allocationKnown());
    }

    @Test
    void looksForACollectedSocketOnlyInTheNextScan() {
        Object socket = harness.keep(new Object());
        tracker.opened(socket, SocketType.SOCKET, true, ENDPOINTS);
        harness.collect(socket);
        detector.scan();
        scanAt(clock.nanoTime(), snapshot(LISTENER)); // the cleaner closed its descriptor

        KernelSocket sameFdAndPorts = new KernelSocket(FD, INODE + 1, TcpState.CLOSE_WAIT, ENDPOINTS.local(),
                ENDPOINTS.remote()); // a new connection from the same client port, opened where the agent missed it
        long firstSeen = clock.nanoTime() + SECOND;
        scanAt(firstSeen, snapshot(LISTENER, sameFdAndPorts));
        scanAt(firstSeen + grace, snapshot(LISTENER, sameFdAndPorts));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED, LeakKind.CLOSE_WAIT), kinds());
    }

    @Test
    void forgetsACollectedSocketOnceItsDescriptorIsClosed() {
        collectedChannel(() -> { });
        detector.scan();
        scanAt(clock.nanoTime(), snapshot(tracked(TcpState.CLOSE_WAIT)));
        scanAt(clock.nanoTime() + SECOND, snapshot(LISTENER)); // its descriptor was closed after all

        // Socket inode numbers come from a counter that wraps: much later another socket may get this one.
        KernelSocket recycledInode = untracked(30, INODE, TcpState.CLOSE_WAIT, 8080);
        long firstSeen = clock.nanoTime() + SECOND;
        scanAt(firstSeen, snapshot(LISTENER, recycledInode));
        scanAt(firstSeen + grace, snapshot(LISTENER, recycledInode));

        assertEquals(List.of(LeakKind.GC_NOT_CLOSED, LeakKind.CLOSE_WAIT), kinds());
    }

    @Test
    void summarisesTheStatesOfTheLastScan() {
        finder.scan(snapshot(LISTENER, untracked(30, 7001, TcpState.ESTABLISHED, 8080)));
        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.ESTABLISHED, 1), finder.lastCounts());

        finder.scan(snapshot());
        assertEquals(Map.of(), finder.lastCounts());
    }

    @Test
    void asksForTheNextScanWhenTheFirstPendingSocketsGraceRunsOut() {
        Object socket = harness.open();
        assertEquals(Long.MAX_VALUE, finder.nextDeadlineNanos(), "nothing pending");
        long firstSeen = clock.nanoTime() + SECOND;
        scanAt(firstSeen, snapshot(tracked(TcpState.CLOSE_WAIT), untracked(40, 9040, TcpState.CLOSE_WAIT, 7000)));

        assertEquals(firstSeen + grace, finder.nextDeadlineNanos());

        scanAt(firstSeen + grace, snapshot(tracked(TcpState.CLOSE_WAIT), untracked(40, 9040, TcpState.CLOSE_WAIT, 7000)));
        assertEquals(2, listener.leaks.size(), "both reported when the deadline comes");
        assertEquals(Long.MAX_VALUE, finder.nextDeadlineNanos(), "nothing pending any more");
        tracker.closed(socket);
    }

    @Test
    void aWriteAfterCloseWaitMovesTheDeadline() {
        Object socket = harness.open();
        long firstSeen = clock.nanoTime() + SECOND;
        scanAt(firstSeen, snapshot(tracked(TcpState.CLOSE_WAIT)));
        clock.advanceNanos(5 * SECOND);
        tracker.wrote(socket);

        scanAt(firstSeen + 10 * SECOND, snapshot(tracked(TcpState.CLOSE_WAIT)));

        assertEquals(firstSeen + 5 * SECOND + grace, finder.nextDeadlineNanos());
    }
}
