package dev.closewait.kernel;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.Clock;
import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteOrder;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Kernel scans run every quarter of grace, from 250 ms to 15 s, and never cost more than 1% of a core. */
class KernelScanTest {

    private static final long MS = 1_000_000L;

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

    @ParameterizedTest(name = "base {0}ns, scan took {1}ns: next in {2}ns")
    @CsvSource({
            "250000000, 0, 250000000",
            "250000000, 1000000, 250000000",
            "250000000, 25000000, 250000000",         // 10 x cost equals the interval
            "250000000, 25000001, 250000010",         // one nanosecond more costs ten more
            "250000000, 10000000000, 100000000000",   // a ten-second scan waits 100 s: no ceiling on the floor
            "15000000000, 2000000000, 20000000000"})
    void waitsAtLeastTenTimesWhatTheLastScanCost(long baseNanos, long scanNanos, long nextNanos) {
        assertEquals(nextNanos, KernelScan.nextDelayNanos(baseNanos, scanNanos));
    }

    @Test
    void scansTheKernelViewIntoTheFinderAndSaysWhenToScanAgain() throws Exception {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "addresses in the fixtures are little-endian");
        long grace = 30_000 * MS;
        SocketTracker tracker = new SocketTracker(Clock.system(), watching -> { });
        LeakListener ignore = new LeakListener() {
            @Override
            public void leakDetected(Leak leak) {
            }

            @Override
            public void leakResolved(LeakOutcome outcome) {
            }
        };
        KernelLeakFinder finder = new KernelLeakFinder(new LeakDetector(tracker, grace, ignore,
                new AgentErrors(warning -> { })));
        KernelScan scan = new KernelScan(new ProcKernelView(new ProcFs(Fixtures.root("sample"))), finder, grace);

        long delay = scan.scan();

        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.ESTABLISHED, 4, TcpState.CLOSE_WAIT, 2),
                finder.lastCounts());
        assertTrue(scan.lastScanNanos() >= 0);
        assertEquals(KernelScan.nextDelayNanos(KernelScan.intervalNanos(grace), scan.lastScanNanos()), delay);
        assertTrue(delay >= 7_500 * MS, "never sooner than grace / 4");
    }
}
