package dev.closewait.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The detector scans often enough to report within 1.25 × grace of EOF, but never busier than every 10ms. */
class ScanIntervalTest {

    @ParameterizedTest(name = "grace {0}ms scans every {1}ms")
    @CsvSource({
            "0, 10",            // floor
            "1, 10",
            "40, 10",
            "44, 11",           // just above the floor: grace / 4
            "100, 25",
            "1000, 250",
            "20000, 5000",      // grace / 4 reaches the ceiling exactly
            "30000, 5000",      // ceiling
            "86400000, 5000"})
    void scansAtAQuarterOfGraceWithinTenMillisecondsAndFiveSeconds(long graceMillis, long intervalMillis) {
        assertEquals(intervalMillis * 1_000_000L, LeakDetector.scanIntervalNanos(graceMillis * 1_000_000L));
    }

    /**
     * Scans run every interval from time 0; EOF comes at several phases between two scans, including one nanosecond
     * after a scan, the worst case.
     */
    @ParameterizedTest(name = "grace {0}ms")
    @ValueSource(longs = {100, 1_000, 30_000})
    void reportsWithinAQuarterOfGraceAfterGraceEnds(long graceMillis) {
        long grace = graceMillis * 1_000_000L;
        long interval = LeakDetector.scanIntervalNanos(grace);
        for (long phase : new long[]{0, 1, interval / 3, interval / 2, interval - 1}) {
            long delay = delayFromEndOfStreamToReport(Duration.ofNanos(grace), interval, phase);
            assertTrue(delay >= grace, "phase " + phase + ": reported before grace, after " + delay + "ns");
            assertTrue(delay <= grace + grace / 4,
                    "phase " + phase + ": reported " + delay + "ns after EOF, over 1.25 x " + grace + "ns");
        }
    }

    private static long delayFromEndOfStreamToReport(Duration grace, long interval, long phase) {
        Harness harness = new Harness(grace);
        harness.clock.advanceNanos(-harness.clock.nanoTime()); // scans at 0, interval, 2 x interval, ...
        Object socket = harness.open();
        harness.detector.scan();
        harness.clock.advanceNanos(phase);
        harness.tracker.endOfStream(socket);
        long eof = harness.clock.nanoTime();
        for (int scans = 1; scans < 1_000 && harness.listener.leaks.isEmpty(); scans++) {
            harness.clock.advanceNanos(scans * interval - harness.clock.nanoTime());
            harness.detector.scan();
        }
        assertEquals(1, harness.listener.leaks.size(), "never reported");
        return harness.listener.leaks.get(0).detectedNanos() - eof;
    }
}
