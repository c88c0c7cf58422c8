package dev.closewait.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static dev.closewait.core.Harness.ENDPOINTS;
import static dev.closewait.core.SocketProbe.Result.ALIVE;
import static dev.closewait.core.SocketProbe.Result.CONNECTION_GONE;
import static dev.closewait.core.SocketProbe.Result.PEER_CLOSED;
import static dev.closewait.core.SocketProbe.Result.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the kernel tells of tracked sockets, probe by probe, on a fake clock and a fake probe: CLOSE_WAIT that never
 * read EOF (close-wait), a connection gone under an open descriptor (reset-not-closed), and when the next round runs.
 */
class KernelLeakFinderTest {

    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final long SECOND = 1_000_000_000L;

    private final Harness harness = new Harness(GRACE);
    private final FakeClock clock = harness.clock;
    private final SocketTracker tracker = harness.tracker;
    private final LeakDetector detector = harness.detector;
    private final RecordingListener listener = harness.listener;
    private final FakeProbe probe = new FakeProbe();
    private final UntrackedSockets untracked =
            new UntrackedSockets(detector.reporter(), tracker, harness.graceNanos(), 60 * SECOND, new OwnPorts());
    private final KernelLeakFinder finder =
            new KernelLeakFinder(detector.reporter(), tracker, harness.graceNanos(), probe, untracked);
    private final long grace = harness.graceNanos();

    /** Answers what the test says of each socket (ALIVE by default), and remembers what it was asked. */
    static final class FakeProbe implements SocketProbe {
        final Map<Object, Result> answers = new IdentityHashMap<>();
        final List<Object> asked = new ArrayList<>();
        Runnable duringProbe = () -> { };

        @Override
        public Result probe(Object socket, int fd) {
            asked.add(socket);
            duringProbe.run();
            return answers.getOrDefault(socket, ALIVE);
        }
    }

    /** Moves the clock to {@code nanos}, sets what the kernel says of {@code socket} and runs one round. */
    private long probeAt(long nanos, Object socket, SocketProbe.Result result) {
        clock.advanceNanos(nanos - clock.nanoTime());
        probe.answers.put(socket, result);
        return finder.probe();
    }

    private void probeEveryQuarterGraceFor(long graces, Object socket, SocketProbe.Result result) {
        for (int i = 0; i < 4 * graces; i++) {
            probeAt(clock.nanoTime() + grace / 4, socket, result);
            detector.scan();
        }
    }

    private List<LeakKind> kinds() {
        return listener.leaks.stream().map(Leak::kind).toList();
    }

    // --- close-wait: the peer closed, the application never read EOF ---

    @Test
    void reportsCloseWaitOnceGraceAfterTheFirstProbeThatSawItNotBefore() {
        Object socket = harness.open();
        long opened = clock.nanoTime();
        probeAt(opened, socket, ALIVE);
        long closeWaitSeen = opened + 20 * SECOND;
        probeAt(closeWaitSeen, socket, PEER_CLOSED);

        probeAt(closeWaitSeen + grace - 1, socket, PEER_CLOSED);
        assertEquals(List.of(), listener.leaks, "one nanosecond short of grace, though open for longer than that");

        probeAt(closeWaitSeen + grace, socket, PEER_CLOSED);
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

        probeEveryQuarterGraceFor(3, socket, PEER_CLOSED);
        assertEquals(1, listener.leaks.size(), "a socket is reported once");
        assertEquals(Map.of(TcpState.CLOSE_WAIT, 1), finder.lastCounts(), "but still counted where it sits");
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void postponesCloseWaitWhileTheApplicationWritesAfterItWasSeen() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        probeAt(closeWaitSeen, socket, PEER_CLOSED);
        clock.advance(Duration.ofSeconds(10));
        tracker.wrote(socket);
        long lastWrite = clock.nanoTime();

        probeAt(closeWaitSeen + grace, socket, PEER_CLOSED);
        assertEquals(List.of(), listener.leaks, "grace after CLOSE_WAIT, but only 20s after the last write");
        probeAt(lastWrite + grace - 1, socket, PEER_CLOSED);
        assertEquals(List.of(), listener.leaks);

        probeAt(lastWrite + grace, socket, PEER_CLOSED);
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
        assertEquals(clock.epochMillis(closeWaitSeen), listener.leaks.get(0).kernelSinceEpochMillis(),
                "the report still says when CLOSE_WAIT was first seen");
    }

    /**
     * A client reading, slowly, a response the server sent and closed: in CLOSE_WAIT all along, and in use. It was
     * reported as "never read from it again" while it read every 100 ms (new-user trial, 2026-12-02). Each read of
     * data defers the report, like a write; reads are watched only while such a socket is within grace.
     */
    @Test
    void postponesCloseWaitWhileTheApplicationReadsWhatThePeerSentBeforeClosing() {
        List<Boolean> readWatches = new ArrayList<>();
        tracker.readWatch(readWatches::add);
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        probeAt(closeWaitSeen, socket, PEER_CLOSED);
        assertEquals(List.of(true), readWatches, "reads watched while a socket is in CLOSE_WAIT within grace");

        long lastRead = closeWaitSeen;
        for (int i = 0; i < 8; i++) {
            clock.advanceNanos(grace / 4);
            tracker.read(socket);
            lastRead = clock.nanoTime();
            probeAt(lastRead, socket, PEER_CLOSED);
        }
        assertEquals(List.of(), listener.leaks, "two graces in CLOSE_WAIT, read a quarter grace ago");

        probeAt(lastRead + grace - 1, socket, PEER_CLOSED);
        assertEquals(List.of(), listener.leaks);
        probeAt(lastRead + grace, socket, PEER_CLOSED);
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds(), "it stopped reading: grace after its last read");
        assertEquals(clock.epochMillis(closeWaitSeen), listener.leaks.get(0).kernelSinceEpochMillis());
        assertEquals(List.of(true, false), readWatches, "reported: reads no longer watched");
    }

    @Test
    void ignoresReadsFromBeforeTheKernelShowedCloseWait() {
        Object socket = harness.open();
        probeAt(clock.nanoTime(), socket, ALIVE);
        tracker.read(socket);
        assertEquals(TrackedSocket.NEVER, harness.tracked(socket).lastReadNanos, "an ordinary read");
    }

    @Test
    void ignoresWritesFromBeforeTheKernelShowedCloseWait() {
        Object socket = harness.open();
        probeAt(clock.nanoTime(), socket, ALIVE);
        clock.advance(Duration.ofSeconds(10));
        tracker.wrote(socket);
        assertEquals(TrackedSocket.NEVER, harness.tracked(socket).lastWriteNanos, "an ordinary write, not watched");
        long closeWaitSeen = clock.nanoTime() + SECOND;

        probeAt(closeWaitSeen, socket, PEER_CLOSED);
        probeAt(closeWaitSeen + grace, socket, PEER_CLOSED);

        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
    }

    @Test
    void watchesWritesWhileACloseWaitSocketIsWithinGrace() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();

        probeAt(closeWaitSeen, socket, PEER_CLOSED);
        assertEquals(List.of(true), harness.watches, "told at once");
        detector.scan();
        assertEquals(Boolean.TRUE, harness.lastWatch(), "the detector keeps watching for the kernel");

        probeAt(closeWaitSeen + grace, socket, PEER_CLOSED);
        detector.scan();
        assertEquals(1, listener.leaks.size());
        assertEquals(Boolean.FALSE, harness.lastWatch(), "reported: nothing left to watch");
    }

    @Test
    void leavesASocketThatReadEndOfStreamToTheEndOfStreamRule() {
        Object socket = harness.open();
        tracker.endOfStream(socket);

        probeEveryQuarterGraceFor(4, socket, PEER_CLOSED);

        assertEquals(List.of(LeakKind.EOF_NOT_CLOSED), kinds(), "one kind per socket: the EOF rule's");
    }

    @Test
    void countsReportedAndEndOfStreamSocketsByTheirKernelStateWithoutReportingThemAgain() {
        Object reportedByKernel = harness.open();
        Object readEof = harness.open();
        Object gone = harness.open();
        tracker.endOfStream(readEof);
        probe.answers.put(readEof, PEER_CLOSED);
        probe.answers.put(gone, ALIVE);
        long seen = clock.nanoTime();
        probeAt(seen, reportedByKernel, PEER_CLOSED);
        probeAt(seen + grace, reportedByKernel, PEER_CLOSED);
        detector.scan();
        assertEquals(List.of(LeakKind.CLOSE_WAIT, LeakKind.EOF_NOT_CLOSED), kinds());

        probe.answers.put(gone, CONNECTION_GONE);
        probeAt(seen + 2 * grace, reportedByKernel, PEER_CLOSED);
        detector.scan();

        assertEquals(Map.of(TcpState.CLOSE_WAIT, 2), finder.lastCounts(),
                "both leaked sockets still sit in CLOSE_WAIT; a gone connection has no TCP state");
        assertEquals(List.of(LeakKind.CLOSE_WAIT, LeakKind.EOF_NOT_CLOSED), kinds(),
                "no second report of either, and the gone connection is still within its grace");
    }

    @Test
    void leavesASocketThatReadEndOfStreamAfterCloseWaitWasSeenToTheEndOfStreamRule() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        probeAt(closeWaitSeen, socket, PEER_CLOSED);
        clock.advanceNanos(grace / 2);
        tracker.endOfStream(socket);
        long eof = clock.nanoTime();

        probeAt(closeWaitSeen + grace, socket, PEER_CLOSED);
        detector.scan();
        assertEquals(List.of(), listener.leaks, "CLOSE_WAIT for grace, but EOF was read since");

        clock.advanceNanos(eof + grace - clock.nanoTime());
        detector.scan();
        finder.probe();
        assertEquals(List.of(LeakKind.EOF_NOT_CLOSED), kinds());
    }

    /**
     * A round preempted on a loaded machine takes long in wall time but little CPU: the next round, and a pending
     * socket's report, must not be pushed back by the preemption. A round that really costs CPU still spaces them.
     */
    @Test
    void pacesRoundsByTheirCpuTimeNotByTheWallTimeALoadedMachineAdds() {
        long[] cpu = {0};
        KernelLeakFinder paced = new KernelLeakFinder(detector.reporter(), tracker, grace, probe, untracked,
                () -> cpu[0]);
        harness.open();
        long interval = KernelLeakFinder.probeIntervalNanos(grace);
        probe.duringProbe = () -> { // preempted for a whole interval, 1 ms of CPU
            clock.advanceNanos(interval);
            cpu[0] += 1_000_000L;
        };
        assertEquals(interval, paced.probe(), "20 x 1 ms of CPU is less than the interval: the interval");

        probe.duringProbe = () -> cpu[0] += interval; // a round that costs a whole interval of CPU
        assertEquals(KernelLeakFinder.COST_FACTOR * interval, paced.probe(), "20 x its CPU time");
        probe.duringProbe = () -> { };
    }

    /**
     * Writing a report can cost the detector tens of ms (the first one loads and formats much); counted as the
     * round's cost it pushed the next round, and another socket's report due just after, back by up to a second.
     */
    @Test
    void theCpuTimeOfReportsDoesNotPushBackTheRoundThatReportsTheNextSocket() {
        long[] cpu = {0};
        long interval = KernelLeakFinder.probeIntervalNanos(grace);
        KernelReporter costly = new KernelReporter() {
            private final KernelReporter reporter = detector.reporter();

            @Override
            public boolean report(TrackedSocket tracked, LeakKind kind, long nowNanos, long kernelSinceNanos) {
                cpu[0] += 10 * interval;
                return reporter.report(tracked, kind, nowNanos, kernelSinceNanos);
            }

            @Override
            public void emit(Leak leak) {
                reporter.emit(leak);
            }

            @Override
            public void emit(LeakOutcome outcome) {
                reporter.emit(outcome);
            }

            @Override
            public void watchWrites(boolean wanted) {
                reporter.watchWrites(wanted);
            }

            @Override
            public long reportedCount() {
                return reporter.reportedCount();
            }

            @Override
            public void socketStates(Map<TcpState, Integer> countsByState) {
                cpu[0] += 10 * interval;
                reporter.socketStates(countsByState);
            }
        };
        KernelLeakFinder paced = new KernelLeakFinder(costly, tracker, grace, probe, untracked, () -> cpu[0]);
        Object first = harness.keep(new Object());
        tracker.opened(first, SocketType.SOCKET, true, ENDPOINTS);
        Object second = harness.keep(new Object());
        tracker.opened(second, SocketType.SOCKET, true, ENDPOINTS);
        long start = clock.nanoTime();
        probe.answers.put(first, PEER_CLOSED);
        paced.probe();
        clock.advance(Duration.ofSeconds(1));
        probe.answers.put(second, PEER_CLOSED);
        paced.probe();

        clock.advanceNanos(start + grace - clock.nanoTime());
        probe.duringProbe = () -> cpu[0] += 1_000; // the probing itself is cheap
        long delay = paced.probe();
        probe.duringProbe = () -> { };

        assertEquals(1, listener.leaks.size(), "the first socket is reported");
        assertEquals(SECOND, delay, "the next round comes when the second socket's grace runs out");
    }

    @Test
    void neverProbesASocketWhoseInputTheApplicationShutDown() {
        Object socket = harness.open();
        tracker.inputShutdown(socket);

        probeEveryQuarterGraceFor(3, socket, PEER_CLOSED);

        assertEquals(List.of(), listener.leaks, "the kernel flags end-of-input after shutdownInput() whatever the peer "
                + "did, and no table scan has shown the socket");
        assertEquals(List.of(), probe.asked);
        assertEquals(Map.of(), finder.lastCounts());
    }

    // --- input shut down by the application: the state comes from the tables ---

    private static final long INODE = 4711;

    /** A table scan listed at {@code listedNanos} that shows the harness's socket (fd 17) in {@code state}. */
    private void tableScanAt(long listedNanos, TcpState state) {
        clock.advanceNanos(listedNanos - clock.nanoTime());
        KernelSocket row = new KernelSocket(ENDPOINTS.fd(), INODE, state, ENDPOINTS.local(), ENDPOINTS.remote());
        untracked.join(new KernelSnapshot(Map.of(ENDPOINTS.fd(), INODE), List.of(row)).listedAt(listedNanos));
    }

    @Test
    void aSocketWhoseInputTheApplicationShutDownIsReportedGraceAfterTheTablesFirstShowedItInCloseWait() {
        Object socket = harness.open();
        tracker.inputShutdown(socket);
        assertTrue(tracker.openDescriptors().isEmpty(), "listed by the kernel view, like an untracked socket");
        long listed = clock.nanoTime() + SECOND;
        tableScanAt(listed, TcpState.CLOSE_WAIT);

        probeAt(listed + grace / 4, socket, ALIVE); // poll would say PEER_CLOSED; it is not asked
        assertEquals(List.of(), listener.leaks);
        assertEquals(listed + grace, finder.nextDeadlineNanos(), "grace counts from the scan, not from this round");
        assertEquals(Map.of(TcpState.CLOSE_WAIT, 1), finder.lastCounts(), "counted once: as tracked, not untracked");

        probeAt(listed + grace - 1, socket, ALIVE);
        assertEquals(List.of(), listener.leaks);
        probeAt(listed + grace, socket, ALIVE);
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
        Leak leak = listener.leaks.get(0);
        assertEquals(harness.tracked(socket).id(), leak.id(), "the tracked socket, with its stacks");
        assertTrue(leak.allocationKnown());
        assertEquals(clock.epochMillis(listed), leak.kernelSinceEpochMillis());
        assertEquals(List.of(), probe.asked);

        tableScanAt(clock.nanoTime() + grace, TcpState.CLOSE_WAIT);
        probeEveryQuarterGraceFor(2, socket, ALIVE);
        assertEquals(1, listener.leaks.size(), "reported once");
        assertEquals(Map.of(TcpState.CLOSE_WAIT, 1), finder.lastCounts());
    }

    /**
     * A scan listed a channel's descriptor before its connect made it tracked, and read the tables after the peer had
     * closed: an untracked entry in CLOSE_WAIT. Its input shut down since (Netty, allowing half-closure), the socket is
     * listed again and its row is the tracker's; the stale entry stayed and was reported a second time, as close-wait
     * of type unknown (a new-user trial, 2026-12-02). Once the tracker claims the row, the entry goes.
     */
    @Test
    void anUntrackedEntryOfASocketTrackedSinceGoesWhenTheTrackerClaimsItsRow() {
        tableScanAt(clock.nanoTime(), TcpState.CLOSE_WAIT); // listed untracked, rows read after the peer closed
        Object socket = harness.open();
        tracker.inputShutdown(socket);

        for (int i = 0; i < 12; i++) {
            tableScanAt(clock.nanoTime() + grace / 4, TcpState.CLOSE_WAIT);
            probeAt(clock.nanoTime() + 1, socket, ALIVE);
            detector.scan();
        }

        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds(), "one report: " + listener.leaks);
        assertEquals(harness.tracked(socket).id(), listener.leaks.get(0).id(), "the tracked socket's");
        assertEquals(Map.of(TcpState.CLOSE_WAIT, 1), finder.lastCounts(), "counted once, as tracked");
    }

    @Test
    void aSocketWhoseInputTheApplicationShutDownIsNeverReportedWhileTheTablesShowItEstablished() {
        Object socket = harness.open();
        tracker.inputShutdown(socket);

        for (int i = 0; i < 12; i++) {
            tableScanAt(clock.nanoTime() + grace / 2, TcpState.ESTABLISHED);
            probeAt(clock.nanoTime() + grace / 4, socket, PEER_CLOSED);
            detector.scan();
        }

        assertEquals(List.of(), listener.leaks);
        assertEquals(Map.of(TcpState.ESTABLISHED, 1), finder.lastCounts());
    }

    @Test
    void aSocketWhoseInputTheApplicationShutDownIsReportedAsResetWhenItsRowIsGoneButItsDescriptorIsNot() {
        Object socket = harness.open();
        tracker.inputShutdown(socket);
        tableScanAt(clock.nanoTime() + SECOND, TcpState.ESTABLISHED);
        probeAt(clock.nanoTime() + grace / 4, socket, ALIVE);
        long listed = clock.nanoTime() + SECOND;
        clock.advanceNanos(listed - clock.nanoTime());
        untracked.join(new KernelSnapshot(Map.of(ENDPOINTS.fd(), INODE), List.of()).listedAt(listed));

        probeAt(listed + grace - 1, socket, ALIVE);
        assertEquals(List.of(), listener.leaks);
        probeAt(listed + grace, socket, ALIVE);
        assertEquals(List.of(LeakKind.RESET_NOT_CLOSED), kinds());
        assertEquals(harness.tracked(socket).id(), listener.leaks.get(0).id());
    }

    @Test
    void aRowOfTheSameDescriptorWithOtherPortsIsAnotherSocketsAndSaysNothingOfThisOne() {
        Object socket = harness.open();
        tracker.inputShutdown(socket);
        KernelSocket other = new KernelSocket(ENDPOINTS.fd(), INODE, TcpState.CLOSE_WAIT, ENDPOINTS.local(),
                Harness.address(10, 0, 0, 2, 1));
        untracked.join(new KernelSnapshot(Map.of(ENDPOINTS.fd(), INODE), List.of(other)).listedAt(clock.nanoTime()));

        probeEveryQuarterGraceFor(3, socket, PEER_CLOSED);

        assertTrue(listener.leaks.stream().noneMatch(leak -> leak.id() == harness.tracked(socket).id()));
    }

    @Test
    void writesAfterTheTablesShowedCloseWaitPostponeTheReportOfASocketWhoseInputWasShutDown() {
        Object socket = harness.open();
        tracker.inputShutdown(socket);
        long listed = clock.nanoTime();
        tableScanAt(listed, TcpState.CLOSE_WAIT);
        probeAt(listed + grace / 4, socket, ALIVE);
        detector.scan(); // the detector turns write watching on for the kernel view
        clock.advance(Duration.ofSeconds(10));
        tracker.wrote(socket);
        long lastWrite = clock.nanoTime();

        probeAt(listed + grace, socket, ALIVE);
        assertEquals(List.of(), listener.leaks, "a half-close protocol at work: writing after the peer's FIN");
        probeAt(lastWrite + grace, socket, ALIVE);
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
    }

    @Test
    void neverProbesTheAgentsOwnSocketsNorOnesWithoutADescriptor() {
        Object own = harness.keep(new Object());
        tracker.agentOwned(own, SocketType.SOCKET, ENDPOINTS);
        Object noFd = harness.keep(new Object());
        tracker.opened(noFd, SocketType.SOCKET_CHANNEL, false, Endpoints.UNKNOWN);
        probe.answers.put(own, PEER_CLOSED);
        probe.answers.put(noFd, PEER_CLOSED);

        for (int i = 0; i < 8; i++) {
            clock.advanceNanos(grace / 2);
            finder.probe();
        }

        assertEquals(List.of(), listener.leaks);
        assertEquals(List.of(), probe.asked);
    }

    @Test
    void staysSilentAboutASocketClosedWithinGrace() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        probeAt(closeWaitSeen, socket, PEER_CLOSED);
        clock.advanceNanos(grace - 1);
        tracker.closed(socket);

        probeEveryQuarterGraceFor(3, socket, PEER_CLOSED);

        assertEquals(List.of(), listener.leaks);
        assertEquals(List.of(), listener.outcomes);
    }

    @Test
    void dropsTheAnswerWhenTheSocketIsClosedWhileProbed() {
        Object socket = harness.open();
        TrackedSocket record = harness.tracked(socket);
        probe.duringProbe = () -> tracker.closed(socket); // its descriptor may already be another socket's

        probeAt(clock.nanoTime(), socket, CONNECTION_GONE);

        assertEquals(TrackedSocket.NEVER, record.connectionGoneSinceNanos, "the answer was dropped");
        probe.duringProbe = () -> { };
        probeEveryQuarterGraceFor(2, socket, CONNECTION_GONE);
        assertEquals(List.of(), listener.leaks);
    }

    @Test
    void restartsGraceWhenTheSocketIsSeenAliveAgain() {
        Object socket = harness.open();
        long firstSeen = clock.nanoTime();
        probeAt(firstSeen, socket, PEER_CLOSED);
        probeAt(firstSeen + grace / 2, socket, ALIVE);
        long seenAgain = firstSeen + grace / 2 + 1;
        probeAt(seenAgain, socket, PEER_CLOSED);

        probeAt(firstSeen + grace, socket, PEER_CLOSED);
        probeAt(seenAgain + grace - 1, socket, PEER_CLOSED);
        assertEquals(List.of(), listener.leaks);

        probeAt(seenAgain + grace, socket, PEER_CLOSED);
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
        assertEquals(clock.epochMillis(seenAgain), listener.leaks.get(0).kernelSinceEpochMillis());
    }

    @Test
    void anUnknownAnswerNeitherStartsNorStopsTheClock() {
        Object socket = harness.open();
        long firstSeen = clock.nanoTime();
        probeAt(firstSeen, socket, PEER_CLOSED);
        probeAt(firstSeen + grace / 2, socket, UNKNOWN);
        probeAt(firstSeen + grace, socket, PEER_CLOSED);
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());

        Object other = harness.keep(new Object());
        tracker.opened(other, SocketType.SOCKET, false, new Endpoints(18, null, null));
        for (int i = 0; i < 8; i++) {
            probeAt(clock.nanoTime() + grace / 2, other, UNKNOWN);
        }
        assertEquals(1, listener.leaks.size());
    }

    @Test
    void reportsTheCloseThatFollowsACloseWaitReport() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        probeAt(closeWaitSeen, socket, PEER_CLOSED);
        probeAt(closeWaitSeen + grace, socket, PEER_CLOSED);
        clock.advance(Duration.ofSeconds(5));

        Harness.onThread("closer", () -> tracker.closed(socket));
        detector.scan();

        assertEquals(1, listener.outcomes.size());
        LeakOutcome outcome = listener.outcomes.get(0);
        assertEquals(LeakOutcome.Kind.CLOSED, outcome.kind());
        assertSame(listener.leaks.get(0), outcome.leak());
        assertEquals("closer", outcome.thread());
        assertEquals(5 * SECOND, outcome.leakedForNanos());
    }

    // --- reset-not-closed: the descriptor is open, the connection is gone ---

    @Test
    void reportsResetNotClosedGraceAfterTheConnectionWentThoughNoProbeEverSawItAlive() {
        Object socket = harness.open(); // reset within milliseconds: the first probe already finds it gone
        long gone = clock.nanoTime() + SECOND;

        probeAt(gone, socket, CONNECTION_GONE);
        probeAt(gone + grace - 1, socket, CONNECTION_GONE);
        assertEquals(List.of(), listener.leaks);

        probeAt(gone + grace, socket, CONNECTION_GONE);
        assertEquals(List.of(LeakKind.RESET_NOT_CLOSED), kinds());
        Leak leak = listener.leaks.get(0);
        assertEquals(harness.tracked(socket).id(), leak.id());
        assertEquals(ENDPOINTS, leak.endpoints());
        assertTrue(leak.allocationKnown());
        assertEquals(clock.epochMillis(gone), leak.kernelSinceEpochMillis());
        assertEquals(gone + grace, leak.detectedNanos());

        probeEveryQuarterGraceFor(3, socket, CONNECTION_GONE);
        assertEquals(1, listener.leaks.size(), "reported once");
    }

    @Test
    void aResetAfterCloseWaitIsReportedAsResetFromWhenTheConnectionWent() {
        Object socket = harness.open();
        long closeWaitSeen = clock.nanoTime();
        probeAt(closeWaitSeen, socket, PEER_CLOSED);
        long gone = closeWaitSeen + grace / 2;
        probeAt(gone, socket, CONNECTION_GONE);

        probeAt(closeWaitSeen + grace, socket, CONNECTION_GONE);
        assertEquals(List.of(), listener.leaks, "no longer in CLOSE_WAIT; gone for only half of grace");

        probeAt(gone + grace, socket, CONNECTION_GONE);
        assertEquals(List.of(LeakKind.RESET_NOT_CLOSED), kinds());
        assertEquals(clock.epochMillis(gone), listener.leaks.get(0).kernelSinceEpochMillis());
    }

    @Test
    void takesTheRoleOfAnAdoptedSocketFromTheListeningPortsTheTablesShowed() {
        untracked.join(new KernelSnapshot(Map.of(3, 7000L), List.of(new KernelSocket(3, 7000, TcpState.LISTEN,
                ENDPOINTS.local(), Harness.address(0, 0, 0, 0, 0)))));
        Object adopted = harness.keep(new Object());
        tracker.adopted(adopted, SocketType.SOCKET, ENDPOINTS);
        long gone = clock.nanoTime();

        probeAt(gone, adopted, CONNECTION_GONE);
        probeAt(gone + grace, adopted, CONNECTION_GONE);

        assertEquals(List.of(LeakKind.RESET_NOT_CLOSED), kinds());
        assertEquals("accepted", listener.leaks.get(0).role(), "this process listens on its local port 8080");
    }

    // --- when the next round runs ---

    @Test
    void asksForTheNextRoundWhenTheFirstPendingSocketsGraceRunsOut() {
        Object socket = harness.open();
        assertEquals(Long.MAX_VALUE, finder.nextDeadlineNanos(), "nothing pending");
        long firstSeen = clock.nanoTime() + SECOND;

        long delay = probeAt(firstSeen, socket, PEER_CLOSED);

        assertEquals(firstSeen + grace, finder.nextDeadlineNanos());
        assertEquals(KernelLeakFinder.probeIntervalNanos(grace), delay, "the regular interval comes first");
        delay = probeAt(firstSeen + grace - SECOND, socket, PEER_CLOSED);
        assertEquals(SECOND, delay, "one second before the deadline, the next round is one second away");
        probeAt(firstSeen + grace, socket, PEER_CLOSED);
        assertEquals(Long.MAX_VALUE, finder.nextDeadlineNanos(), "nothing pending any more");
    }

    @Test
    void aWriteAfterCloseWaitMovesTheDeadline() {
        Object socket = harness.open();
        long firstSeen = clock.nanoTime() + SECOND;
        probeAt(firstSeen, socket, PEER_CLOSED);
        clock.advanceNanos(5 * SECOND);
        tracker.wrote(socket);

        probeAt(firstSeen + 10 * SECOND, socket, PEER_CLOSED);

        assertEquals(firstSeen + 5 * SECOND + grace, finder.nextDeadlineNanos());
    }

    /**
     * Following the delays {@link KernelLeakFinder#probe()} returns, a socket whose deadline falls between two
     * regular rounds (a write moved it) is reported exactly at its deadline, not at the next regular round.
     */
    @Test
    void followingItsDelaysReportsExactlyWhenGraceRunsOutBetweenRegularRounds() {
        Object socket = harness.open();
        probe.answers.put(socket, ALIVE);
        long delay = finder.probe();
        long closeWaitSeen = 0;
        long wroteAt = 0;
        for (int round = 0; round < 40 && listener.leaks.isEmpty(); round++) {
            if (round == 2) {
                clock.advanceNanos(3 * SECOND);
                tracker.wrote(socket); // between two rounds: the deadline leaves the grid of regular rounds
                wroteAt = clock.nanoTime();
                clock.advanceNanos(delay - 3 * SECOND);
            } else {
                clock.advanceNanos(delay);
            }
            if (round == 1) {
                probe.answers.put(socket, PEER_CLOSED);
                closeWaitSeen = clock.nanoTime();
            }
            delay = finder.probe();
        }

        assertTrue(closeWaitSeen > 0);
        assertEquals(List.of(LeakKind.CLOSE_WAIT), kinds());
        assertEquals(wroteAt + grace, listener.leaks.get(0).detectedNanos(),
                "reported at the write + grace exactly, not at the next regular round after it");
    }

    @ParameterizedTest(name = "regular {0}, deadline in {1}, floor {2}: next in {3}")
    @CsvSource({
            "7500, -1, 0, 7500",          // nothing pending: the regular interval
            "7500, 3000, 0, 3000",        // a deadline first: exactly then
            "7500, 9000, 0, 7500",        // the regular round first
            "7500, 0, 0, 0",              // due now
            "7500, 3000, 4000, 4000",     // never sooner than the floor (what rounds cost)
            "7500, -1, 9000, 9000"})      // the floor also stretches the regular interval
    void schedulesTheNextRoundAtTheEarliestOfIntervalAndDeadlineButNotBelowTheFloor(long regular, long inDeadline,
                                                                                    long floor, long expected) {
        long now = 1_000_000;
        long deadline = inDeadline < 0 ? Long.MAX_VALUE : now + inDeadline;
        assertEquals(expected, KernelLeakFinder.nextDelayNanos(regular, deadline, now, floor));
    }

    @ParameterizedTest(name = "grace {0}ms probes every {1}ms")
    @CsvSource({"0, 10", "40, 10", "100, 25", "1000, 250", "30000, 7500", "60000, 15000", "3600000, 15000"})
    void probesEveryQuarterOfGraceFromTenMillisecondsToFifteenSeconds(long graceMillis, long intervalMillis) {
        assertEquals(intervalMillis * 1_000_000L, KernelLeakFinder.probeIntervalNanos(graceMillis * 1_000_000L));
    }

    // --- the socket states summary ---

    @Test
    void sendsTheSocketStatesSummaryOnceAfterARoundThatFollowedNewReports() {
        untracked.join(new KernelSnapshot(Map.of(3, 7000L), List.of(new KernelSocket(3, 7000, TcpState.LISTEN,
                ENDPOINTS.local(), Harness.address(0, 0, 0, 0, 0)))));
        Object leaking = harness.open();
        Object other = harness.keep(new Object());
        tracker.opened(other, SocketType.SOCKET, false, new Endpoints(18, null, null));
        long seen = clock.nanoTime();
        probeAt(seen, leaking, PEER_CLOSED);
        assertEquals(List.of(), listener.socketStates, "nothing reported yet");

        probeAt(seen + grace, leaking, PEER_CLOSED);
        assertEquals(List.of(Map.of(TcpState.LISTEN, 1, TcpState.ESTABLISHED, 1, TcpState.CLOSE_WAIT, 1)),
                listener.socketStates, "the round that reported it saw it in CLOSE_WAIT");

        probeEveryQuarterGraceFor(2, leaking, PEER_CLOSED);
        assertEquals(1, listener.socketStates.size(), "quiet rounds send no summary");
    }

    /**
     * Reports that come out over several rounds with the same counts send one summary, not one per round (five
     * identical lines within a second, 2026-12-02); the same counts go out again a minute later.
     */
    @Test
    void aSummaryWithTheSameCountsAsTheLastGoesOutAgainOnlyAMinuteLater() {
        untracked.join(new KernelSnapshot(Map.of(), List.of())); // a table scan: the counts are complete
        Object first = harness.open();
        Object second = harness.keep(new Object());
        tracker.opened(second, SocketType.SOCKET, false, new Endpoints(18, null, null));
        long seen = clock.nanoTime();
        probeAt(seen, first, PEER_CLOSED);
        probeAt(seen + grace / 2, second, PEER_CLOSED);
        probeAt(seen + grace, first, PEER_CLOSED); // the first reported
        assertEquals(List.of(Map.of(TcpState.CLOSE_WAIT, 2)), listener.socketStates);

        probeAt(seen + grace + grace / 2, second, PEER_CLOSED); // the second reported, the same counts
        assertEquals(2, listener.leaks.size());
        assertEquals(1, listener.socketStates.size(), "the same counts " + grace / 2 + " ns after the last summary");

        tracker.closed(first);
        Object third = harness.keep(new Object());
        tracker.opened(third, SocketType.SOCKET, false, new Endpoints(19, null, null));
        long summarized = seen + grace;
        long thirdSeen = summarized + KernelLeakFinder.SAME_SUMMARY_AFTER_NANOS - grace;
        probeAt(thirdSeen, third, PEER_CLOSED);
        probeAt(thirdSeen + grace, third, PEER_CLOSED); // reported a minute after the summary: 2 CLOSE_WAIT again
        assertEquals(3, listener.leaks.size());
        assertEquals(List.of(Map.of(TcpState.CLOSE_WAIT, 2), Map.of(TcpState.CLOSE_WAIT, 2)), listener.socketStates);
    }

    /**
     * A listening socket opened just before the first table scan: that scan's listing meets it and skips the tables,
     * so its counts lack it. The summary waits for the scan that counts it (it said "2 CLOSE_WAIT" without the
     * LISTEN before: new-user trial, 2026-12-01).
     */
    @Test
    void theSummaryWaitsForATableScanThatCountedEverySocketOfTheListing() {
        long seen = clock.nanoTime();
        Object leaking = reportedBeforeAScanCountedTheListeningSocket();
        assertEquals(List.of(), listener.socketStates, "the listening socket is not counted yet: no summary");

        untracked.join(new KernelSnapshot(Map.of(3, 7000L), List.of(new KernelSocket(3, 7000, TcpState.LISTEN,
                ENDPOINTS.local(), Harness.address(0, 0, 0, 0, 0)))));
        probeAt(seen + grace + grace / 4, leaking, PEER_CLOSED);
        assertEquals(List.of(Map.of(TcpState.LISTEN, 1, TcpState.CLOSE_WAIT, 1)), listener.socketStates);
    }

    @Test
    void aSummaryWaitsAFewRoundsAtMostForCompleteCounts() {
        long seen = clock.nanoTime();
        Object leaking = reportedBeforeAScanCountedTheListeningSocket();
        for (int round = 1; round <= KernelLeakFinder.SUMMARY_MAX_WAITS; round++) {
            probeAt(seen + grace + round * grace / 4, leaking, PEER_CLOSED);
        }
        assertEquals(List.of(Map.of(TcpState.CLOSE_WAIT, 1)), listener.socketStates,
                "the tables were never read: after the last wait, the counts there are");
    }

    /**
     * A scan whose listing met a new socket (fd 3, a listening one) and skipped the tables, then a socket reported as
     * close-wait, its grace counted from now; returns that socket.
     */
    private Object reportedBeforeAScanCountedTheListeningSocket() {
        untracked.join(new KernelSnapshot(Map.of(3, 7000L), List.of(), false));
        Object leaking = harness.open();
        long seen = clock.nanoTime();
        probeAt(seen, leaking, PEER_CLOSED);
        probeAt(seen + grace, leaking, PEER_CLOSED);
        assertEquals(1, listener.leaks.size(), "reported");
        return leaking;
    }

    @Test
    void keepsProbingWhenTheSummaryListenerThrows() {
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
        FakeProbe gone = new FakeProbe();
        KernelLeakFinder throwingFinder = new KernelLeakFinder(throwing.detector.reporter(), throwing.tracker,
                throwing.graceNanos(), gone, new UntrackedSockets(throwing.detector.reporter(), throwing.tracker,
                throwing.graceNanos(), 60 * SECOND, new OwnPorts()));
        Object first = throwing.open();
        gone.answers.put(first, CONNECTION_GONE);
        throwingFinder.probe();
        throwing.clock.advance(GRACE);
        throwingFinder.probe();
        Object second = throwing.keep(new Object());
        throwing.tracker.opened(second, SocketType.SOCKET, false, new Endpoints(18, null, null));
        gone.answers.put(second, CONNECTION_GONE);
        throwingFinder.probe();
        throwing.clock.advance(GRACE);
        throwingFinder.probe();

        assertEquals(2, recording.leaks.size());
    }
}
