package dev.closewait.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadCpuTest {

    @Test
    void readsTheFirstFieldOfSchedstat() {
        assertEquals(123456789L, first("123456789 2000 15\n"));
        assertEquals(0L, first("0 0 0\n"));
        assertEquals(-1L, first(""));
        assertEquals(-1L, first(" 1 2"));
        assertEquals(-1L, first("12x 1"));
        assertEquals(-1L, first("1234567890123456789 1"), "more digits than a long holds safely");
    }

    /** The file's time and the JDK's thread CPU clock measure the same thing: both grow by the CPU burnt between. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void agreesWithTheJdksThreadCpuClock() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long fileBefore = ThreadCpu.schedstat();
        long jdkBefore = threads.getCurrentThreadCpuTime();
        burn(50_000_000L);
        long fileSpent = ThreadCpu.schedstat() - fileBefore;
        long jdkSpent = threads.getCurrentThreadCpuTime() - jdkBefore;

        assertTrue(fileBefore > 0, "schedstat readable: " + fileBefore);
        assertTrue(fileSpent >= 40_000_000L, "at least the CPU burnt: " + fileSpent);
        // Both are this thread's CPU time; a preemption between the reads can only add to one of them.
        assertTrue(Math.abs(fileSpent - jdkSpent) < 20_000_000L, fileSpent + " ns against " + jdkSpent + " ns");
        assertTrue(ThreadCpu.nanos() >= fileBefore + fileSpent);
    }

    /** Spins until this thread has used {@code nanos} of CPU by the JDK's clock (bounded: 10 s of wall time). */
    private static void burn(long nanos) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + nanos;
        long wallDeadline = System.nanoTime() + 10_000_000_000L;
        long sink = 0;
        while (threads.getCurrentThreadCpuTime() < until && System.nanoTime() < wallDeadline) {
            for (int i = 0; i < 10_000; i++) {
                sink += i * 31L;
            }
        }
        assertTrue(sink != 1);
    }

    private static long first(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return ThreadCpu.firstNumber(bytes, bytes.length);
    }
}
