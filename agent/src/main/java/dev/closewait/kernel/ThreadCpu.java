package dev.closewait.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The calling thread's CPU time (user and kernel), which paces the kernel view's scans: unlike wall time, it does
 * not grow when the machine is loaded. Falls back to wall time where the JVM cannot measure thread CPU time.
 */
public final class ThreadCpu {

    private ThreadCpu() {
    }

    /** The calling thread's CPU time in nanoseconds (only differences mean anything). */
    public static long nanos() {
        ThreadMXBean threads = Holder.THREADS;
        if (threads != null) {
            long cpu = threads.getCurrentThreadCpuTime();
            if (cpu >= 0) {
                return cpu;
            }
        }
        return System.nanoTime();
    }

    /** Loaded on the first call, on the kernel thread, not at agent start. */
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
