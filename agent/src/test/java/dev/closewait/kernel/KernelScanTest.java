package dev.closewait.kernel;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.Clock;
import dev.closewait.core.KernelSnapshot;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.LeakKind;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.TcpState;
import dev.closewait.core.UntrackedSockets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Table scans run every half of grace, from 250 ms to 15 s, at least 20 times their own CPU time apart but never
 * more than max(interval, 5 s), sooner for an untracked socket's deadline; and read the tables only when needed.
 */
class KernelScanTest {

    private static final long MS = 1_000_000L;

    @BeforeAll
    static void fixturesWereCapturedOnALittleEndianMachine() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "addresses in the fixtures are little-endian");
    }

    @ParameterizedTest(name = "grace {0}ms scans every {1}ms")
    @CsvSource({
            "0, 250",               // floor
            "100, 250",
            "500, 250",             // grace / 2 reaches the floor exactly
            "502, 251",             // just above the floor: grace / 2
            "30000, 15000",         // the default grace; grace / 2 reaches the ceiling exactly
            "3600000, 15000"})      // ceiling
    void scansAtHalfOfGraceWithinAQuarterSecondAndFifteenSeconds(long graceMillis, long intervalMillis) {
        assertEquals(intervalMillis * MS, KernelScan.intervalNanos(graceMillis * MS));
    }

    @ParameterizedTest(name = "base {0}ms, scan cost {1}ms of CPU, deadline in {2}ms: next in {3}ms")
    @CsvSource({
            "250, 0, -1, 250",
            "250, 12, -1, 250",          // 20 x 12 ms = 240 ms: the interval
            "250, 13, -1, 260",          // 20 x 13 ms
            "250, 100, -1, 2000",
            "250, 250, -1, 5000",        // 20 x 250 ms = 5 s: the cap exactly
            "250, 10000, -1, 5000",      // a ten-second scan does not park the thread for 200 s: capped at 5 s
            "15000, 1000, -1, 15000",    // the cap is never below the interval
            "500, 0, 100, 100",          // an untracked socket's grace runs out first: then
            "500, 10, 100, 200",         // but not sooner than 20 x the cost
            "500, 0, 900, 500"})
    void pacesByCpuTimeWithACap(long baseMillis, long cpuMillis, long deadlineInMillis, long nextMillis) {
        long now = 123_456_789L;
        long deadline = deadlineInMillis < 0 ? Long.MAX_VALUE : now + deadlineInMillis * MS;
        assertEquals(nextMillis * MS, KernelScan.nextDelayNanos(baseMillis * MS, cpuMillis * MS, deadline, now));
    }

    private final List<Leak> leaks = new ArrayList<>();
    private final long[] now = {5_000_000_000L};
    private final Clock clock = new Clock() {
        @Override
        public long nanoTime() {
            return now[0];
        }

        @Override
        public long epochMillis(long nanoTime) {
            return nanoTime / MS;
        }
    };
    private final SocketTracker tracker = new SocketTracker(clock, watching -> { });
    private final LeakDetector detector = new LeakDetector(tracker, 1_000 * MS, new LeakListener() {
        @Override
        public void leakDetected(Leak leak) {
            leaks.add(leak);
        }

        @Override
        public void leakResolved(LeakOutcome outcome) {
        }
    }, new AgentErrors(warning -> { }));
    private final UntrackedSockets untracked =
            new UntrackedSockets(detector.reporter(), tracker, 1_000 * MS, 5_000 * MS, new OwnPorts());
    private final long[] cpu = {0};

    private KernelScan scan(String fixture) {
        return scan(fixture, 100);
    }

    /** The CPU clock is the test's: each read "costs" {@code cpuMillis}, whatever wall time passed. */
    private KernelScan scan(String fixture, long cpuMillis) {
        return new KernelScan(new ProcKernelView(new ProcFs(Fixtures.root(fixture))), tracker, untracked,
                1_000 * MS, () -> cpu[0] += cpuMillis * MS); // read before and after: one step apart
    }

    @Test
    void readsTheTablesAndPacesByTheThreadsCpuTime() throws Exception {
        KernelScan scan = scan("sample");
        KernelSnapshot listedOnce = scan.read();
        scan.join(listedOnce);
        assertFalse(listedOnce.tablesRead(), "listed once: they may be connections in flight");

        KernelSnapshot snapshot = scan.read();
        scan.join(snapshot);

        assertTrue(snapshot.tablesRead(), "listed twice, never met by a table scan: the tables must be read");
        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.ESTABLISHED, 4, TcpState.CLOSE_WAIT, 2),
                untracked.lastCounts());
        assertEquals(100 * MS, scan.lastCpuNanos(), "the CPU clock moved 100 ms during the read");
        assertEquals(2_000 * MS, scan.nextDelayNanos(),
                "two CLOSE_WAIT sockets are due in 1 s, but scans are at least 20 x 100 ms of CPU apart");
    }

    @Test
    void reportsAnUntrackedCloseWaitSocketAtTheScanItsDeadlineAskedFor() throws Exception {
        KernelScan scan = scan("sample", 10);
        scan.join(scan.read()); // listed once
        scan.join(scan.read());
        long firstSeen = now[0];

        assertEquals(500 * MS, scan.nextDelayNanos(), "the regular interval, half of grace, comes first");
        now[0] += 700 * MS; // the scan ran late
        scan.join(scan.read());
        assertEquals(List.of(), leaks);
        long delay = scan.nextDelayNanos();
        assertEquals(300 * MS, delay, "exactly when their grace runs out, before the regular interval");
        now[0] += delay;
        scan.join(scan.read());

        assertEquals(List.of(LeakKind.CLOSE_WAIT, LeakKind.CLOSE_WAIT), leaks.stream().map(Leak::kind).toList());
        assertEquals(firstSeen + 1_000 * MS, leaks.get(0).detectedNanos());
    }

    @Test
    void skipsTheTablesWhenEveryUntrackedSocketIsSettled() throws Exception {
        KernelScan scan = scan("no-ipv6"); // one listening socket
        scan.join(scan.read()); // listed once
        scan.join(scan.read()); // the tables: it listens

        KernelSnapshot second = scan.read();

        assertFalse(second.tablesRead(), "a listener cannot leak: only /proc/self/fd was listed");
        assertEquals(Map.of(3, 1001L), second.socketInodesByFd());
        assertEquals(500 * MS, KernelScan.intervalNanos(1_000 * MS));
        assertEquals(2_000 * MS, scan.nextDelayNanos(), "20 x 100 ms of CPU");
    }
}
