package dev.closewait.kernel;

import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.KernelSnapshot;

import java.io.IOException;

/**
 * One kernel scan (read /proc, join, report) and when to run the next. The interval follows grace, so a socket
 * that goes to CLOSE_WAIT is reported within about 1.5 × grace. Reading a TCP table costs the kernel a walk of its
 * whole connection hash (about 3.5 ms per table on a 24 GiB machine, however few sockets there are), so with the
 * default grace of 30 s a scan every 7.5 s costs about 0.1% of a core; a short grace costs more, but each scan's
 * cost sets a floor of 10 times itself for the next delay, so scanning never takes more than 10% of a core.
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

    /** A quarter of grace, from 250 ms to 15 s: CLOSE_WAIT is seen within grace/4, reported one grace later. */
    public static long intervalNanos(long graceNanos) {
        return Math.max(MIN_INTERVAL_NANOS, Math.min(graceNanos / 4, MAX_INTERVAL_NANOS));
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

    /** The base interval, or ten times what the last read cost if that is longer. */
    public long nextDelayNanos() {
        return nextDelayNanos(baseIntervalNanos, lastScanNanos);
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
