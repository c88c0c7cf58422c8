package dev.closewait.kernel;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/**
 * The calling thread's CPU time, for pacing the agent's own work by what it costs rather than by wall time. Read from
 * {@code /proc/thread-self/schedstat}, whose first field is the time the thread spent on a CPU in nanoseconds, user
 * and kernel (proc(5); Linux 3.17 and later): the agent reads /proc anyway, and the JDK's {@code ThreadMXBean}, the
 * fallback where that file is missing, starts the platform MBean machinery on first use (service loading, streams,
 * lambdas: about 25 ms of CPU of a JVM's start on the 2-core host of docs/performance.md). Costs an open, a read and a
 * close per call: the callers read it twice per probe round or table scan.
 */
public final class ThreadCpu {

    private static final String SCHEDSTAT = "/proc/thread-self/schedstat";
    /** Set once the file could not be read: from then on the fallback. */
    private static volatile boolean noSchedstat;

    private ThreadCpu() {
    }

    /**
     * {@link #nanos()} as a {@code LongSupplier}, for the pacing of the kernel view: a class, not a method reference,
     * which would be linked during the agent's start by spinning a class and method handles.
     */
    public static final LongSupplier NANOS = new LongSupplier() {
        @Override
        public long getAsLong() {
            return nanos();
        }
    };

    /** The calling thread's CPU time in nanoseconds (only differences mean anything); never throws. */
    public static long nanos() {
        if (!noSchedstat) {
            long cpu = schedstat();
            if (cpu >= 0) {
                return cpu;
            }
            noSchedstat = true;
        }
        ThreadMXBean threads = Holder.THREADS;
        if (threads != null) {
            long cpu = threads.getCurrentThreadCpuTime();
            if (cpu >= 0) {
                return cpu;
            }
        }
        return System.nanoTime();
    }

    /** The first field of this thread's schedstat, ns; -1 if it cannot be read. */
    static long schedstat() {
        byte[] buffer = new byte[64];
        int length = 0;
        try (FileInputStream in = new FileInputStream(SCHEDSTAT)) {
            for (int n; length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) > 0; ) {
                length += n;
            }
        } catch (IOException | RuntimeException unreadable) {
            return -1;
        }
        return firstNumber(buffer, length);
    }

    /** The decimal number at the start of {@code text[0, length)}, up to the first space; -1 if there is none. */
    static long firstNumber(byte[] text, int length) {
        long value = 0;
        int digits = 0;
        for (int i = 0; i < length && text[i] != ' ' && text[i] != '\n'; i++) {
            int digit = text[i] - '0';
            if (digit < 0 || digit > 9 || digits == 18) {
                return -1;
            }
            value = value * 10 + digit;
            digits++;
        }
        return digits == 0 ? -1 : value;
    }

    /** Loaded only where /proc/thread-self/schedstat cannot be read, on the first call. */
    private static final class Holder {
        static final ThreadMXBean THREADS = threads();

        private static ThreadMXBean threads() {
            try {
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                return threads.isCurrentThreadCpuTimeSupported() ? threads : null;
            } catch (Throwable unavailable) {
                return null;
            }
        }
    }
}
