package dev.closewait.kernel;

import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.KernelSnapshot;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.UntrackedSockets;

import java.io.IOException;
import java.util.BitSet;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One table scan for the sockets the agent did not see opened, and when to run the next. A scan lists
 * /proc/self/fd (one readlink per descriptor that is not a tracked socket's) and, only if one of those sockets may
 * still turn into a leak ({@link UntrackedSockets#needsTables}), streams the namespace's TCP tables, whose cost grows
 * with every socket of the namespace. Scans are spaced at half of grace, from 250 ms to 15 s, sooner when an
 * untracked socket's grace runs out. Pacing is by the reading thread's own CPU time (kernel time included), not wall
 * time, so a loaded machine does not push scans apart: the delay is at least {@value #COST_FACTOR} times the last
 * scan's CPU time (scanning takes at most about 5% of a core), but never more than {@link #maxDelayNanos}.
 */
public final class KernelScan {

    static final long MIN_INTERVAL_NANOS = 250_000_000L;
    static final long MAX_INTERVAL_NANOS = 15_000_000_000L;
    static final long MIN_CAP_NANOS = 5_000_000_000L;
    static final int COST_FACTOR = 20;

    private final ProcKernelView view;
    private final SocketTracker tracker;
    private final UntrackedSockets untracked;
    private final LongSupplier threadCpuNanos;
    private final long baseIntervalNanos;
    private long lastCpuNanos;
    // Classes, not lambdas, made once: a lambda is linked on first use by spinning a class and method handles, and the
    // first scan runs during the agent's start (docs/performance.md, "Start-up CPU").
    private final Supplier<BitSet> openDescriptors = new Supplier<>() {
        @Override
        public BitSet get() {
            return tracker.openDescriptors();
        }
    };
    private final Predicate<Map<Integer, Long>> needsTables = new Predicate<>() {
        @Override
        public boolean test(Map<Integer, Long> inodesByFd) {
            return untracked.needsTables(inodesByFd, tracker.nanoTime());
        }
    };

    /**
     * @param threadCpuNanos the calling thread's CPU time in nanoseconds ({@link ThreadCpu#nanos()} in the agent)
     */
    public KernelScan(ProcKernelView view, SocketTracker tracker, UntrackedSockets untracked, long graceNanos,
                      LongSupplier threadCpuNanos) {
        this.view = view;
        this.tracker = tracker;
        this.untracked = untracked;
        this.threadCpuNanos = threadCpuNanos;
        this.baseIntervalNanos = intervalNanos(graceNanos);
    }

    /** Half of grace, from 250 ms to 15 s. */
    public static long intervalNanos(long graceNanos) {
        return Math.max(MIN_INTERVAL_NANOS, Math.min(graceNanos / 2, MAX_INTERVAL_NANOS));
    }

    /** The longest the pacing may push scans apart: the base interval, but at least 5 s. */
    public static long maxDelayNanos(long baseIntervalNanos) {
        return Math.max(baseIntervalNanos, MIN_CAP_NANOS);
    }

    /**
     * Reads /proc (the slow part) on the calling thread, and records its CPU time for the pacing. Thread-safe
     * against {@link #join} on another thread, not against another read.
     */
    public KernelSnapshot read() throws IOException {
        long start = threadCpuNanos.getAsLong();
        long listed = tracker.nanoTime();
        try {
            return view.snapshot(openDescriptors, needsTables).listedAt(listed);
        } finally {
            lastCpuNanos = Math.max(0, threadCpuNanos.getAsLong() - start);
        }
    }

    /** Joins a snapshot and reports: on the detector thread, like every other report. */
    public void join(KernelSnapshot snapshot) {
        untracked.join(snapshot);
    }

    /** The delay until the next scan, after the last {@link #read()}; see the class comment. */
    public long nextDelayNanos() {
        return nextDelayNanos(baseIntervalNanos, lastCpuNanos, untracked.nextDeadlineNanos(), tracker.nanoTime());
    }

    /**
     * The delay after a scan that cost {@code cpuNanos}: the base interval, stretched to {@value #COST_FACTOR} ×
     * the cost but to no more than {@link #maxDelayNanos}, and brought forward to {@code deadlineNanos} (if not
     * Long.MAX_VALUE) but not below the stretched cost.
     */
    static long nextDelayNanos(long baseIntervalNanos, long cpuNanos, long deadlineNanos, long nowNanos) {
        long cap = maxDelayNanos(baseIntervalNanos);
        long floor = cpuNanos >= cap / COST_FACTOR ? cap : cpuNanos * COST_FACTOR;
        return KernelLeakFinder.nextDelayNanos(Math.max(baseIntervalNanos, floor), deadlineNanos, nowNanos, floor);
    }

    public long baseIntervalNanos() {
        return baseIntervalNanos;
    }

    /** The CPU time of the last read, in nanoseconds. */
    public long lastCpuNanos() {
        return lastCpuNanos;
    }
}
