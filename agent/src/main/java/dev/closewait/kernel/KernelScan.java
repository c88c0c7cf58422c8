package dev.closewait.kernel;

import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.KernelSnapshot;

import java.io.IOException;

/**
 * One kernel scan (read /proc, join, report) and when to run the next. Reading costs time proportional to the sockets
 * of this process (one readlink per descriptor) and of the whole network namespace (the kernel generates the TCP
 * tables), so scans are spaced at half the grace period, from 250 ms to 15 s, with an extra scan exactly when the
 * earliest pending socket's grace runs out: a socket that goes to CLOSE_WAIT is first seen within grace/2 and
 * reported at first sight + grace, within about 1.5 × grace. Each scan's cost sets a floor of 10 times itself for the
 * next delay, so scanning never takes more than 10% of a core however large the host (docs/performance.md).
 */
public final class KernelScan {

    static final long MIN_INTERVAL_NANOS = 250_000_000L;
    static final long MAX_INTERVAL_NANOS = 15_000_000_000L;
    static final int COST_FACTOR = 10;

    private final ProcKernelView view;
    private final KernelLeakFinder finder;
    private final long baseIntervalNanos;
    private long lastScanNanos;

    public KernelScan(ProcKernelView view, KernelLeakFinder finder, long graceNanos) {
        this.view = view;
        this.finder = finder;
        this.baseIntervalNanos = intervalNanos(graceNanos);
    }

    /** Half of grace, from 250 ms to 15 s: CLOSE_WAIT is seen within grace/2, reported when its grace runs out. */
    public static long intervalNanos(long graceNanos) {
        return Math.max(MIN_INTERVAL_NANOS, Math.min(graceNanos / 2, MAX_INTERVAL_NANOS));
    }

    /** Scans once (read and join on this thread) and returns the delay until the next scan. */
    public long scan() throws IOException {
        join(read());
        return nextDelayNanos();
    }

    /**
     * Reads the kernel's tables: the slow part, proportional to every socket in the network namespace, so it runs
     * on its own thread and never delays the detector's other reports.
     */
    public KernelSnapshot read() throws IOException {
        long start = System.nanoTime();
        KernelSnapshot snapshot = view.snapshot();
        lastScanNanos = System.nanoTime() - start;
        return snapshot;
    }

    /** Joins a snapshot to the tracked sockets and reports: on the detector thread, like every other report. */
    public void join(KernelSnapshot snapshot) {
        finder.scan(snapshot);
    }

    /**
     * The base interval, or ten times what the last read cost if that is longer; sooner if a pending socket's grace
     * runs out before, but never sooner than ten times the last read's cost.
     */
    public long nextDelayNanos() {
        long regular = nextDelayNanos(baseIntervalNanos, lastScanNanos);
        long deadline = finder.nextDeadlineNanos();
        if (deadline == Long.MAX_VALUE) {
            return regular;
        }
        long untilDeadline = Math.max(0, deadline - finder.nowNanos());
        return Math.max(Math.min(regular, untilDeadline), lastScanNanos * COST_FACTOR);
    }

    public long baseIntervalNanos() {
        return baseIntervalNanos;
    }

    static long nextDelayNanos(long baseIntervalNanos, long scanNanos) {
        return Math.max(baseIntervalNanos, scanNanos * COST_FACTOR);
    }

    public long lastScanNanos() {
        return lastScanNanos;
    }
}
