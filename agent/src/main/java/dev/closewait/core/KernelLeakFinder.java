package dev.closewait.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Asks the kernel, descriptor by descriptor, about every tracked socket that is still open and has not read EOF, and
 * reports what only the kernel can tell: a socket whose peer closed (CLOSE_WAIT) that the application neither read
 * from (to EOF, or any data), wrote to, nor closed for the grace period (close-wait), and a socket whose connection is gone (reset, or
 * closed both ways) while its descriptor stays open (reset-not-closed). One round costs one non-blocking
 * {@link SocketProbe} call per open tracked socket (reported ones and ones that read EOF are probed only to count
 * them in the summary), whatever the size of the network namespace; it runs on the detector
 * thread. A socket that read EOF is left to the EOF rule: one kind per socket. A socket whose input the application
 * shut down is not probed, for {@code poll} then flags end-of-input whatever the peer did: its state comes from the
 * kernel view's last table scan instead ({@link UntrackedSockets#tableState}), so such a socket costs table scans,
 * like a socket the agent did not see opened.
 *
 * <p>Sockets the agent did not see opened are {@link UntrackedSockets}' business; this class only depends on the
 * detector through {@link KernelReporter}.
 */
public final class KernelLeakFinder {

    private final KernelReporter reporter;
    private final SocketTracker tracker;
    private final Clock clock;
    private final long graceNanos;
    private final SocketProbe probe;
    private final UntrackedSockets untracked;
    private final long probeIntervalNanos;
    private final LongSupplier threadCpuNanos;
    private volatile Map<TcpState, Integer> trackedCounts = Map.of();
    private long nextDeadlineNanos = Long.MAX_VALUE;
    private long reportedAtLastSummary;
    /** Rounds a due summary has waited for complete counts ({@link UntrackedSockets#countsComplete}). */
    private int summaryWaits;
    /** At most this many rounds; then the summary goes out with the counts there are. */
    static final int SUMMARY_MAX_WAITS = 8;
    /**
     * A summary with the same counts as the last one goes out again only this long after it, in nanoseconds: reports
     * that trickled out over a few rounds printed the same line five times within a second (2026-12-02).
     */
    static final long SAME_SUMMARY_AFTER_NANOS = 60_000_000_000L;
    private Map<TcpState, Integer> lastSummaryCounts;
    private long lastSummaryNanos;

    /**
     * @param graceNanos how long a socket may stay in a leaking state before it is reported
     * @param probe      asks the kernel about one descriptor
     * @param untracked  sockets only the kernel knows: their role and counts complete the summary
     */
    public KernelLeakFinder(KernelReporter reporter, SocketTracker tracker, long graceNanos, SocketProbe probe,
                            UntrackedSockets untracked) {
        this(reporter, tracker, graceNanos, probe, untracked, new LongSupplier() {
            @Override
            public long getAsLong() {
                return tracker.clock().nanoTime();
            }
        });
    }

    /**
     * @param threadCpuNanos the calling thread's CPU time in nanoseconds (only differences count), which paces the
     *                       rounds: the agent's {@code ThreadCpu.nanos}. Wall time, which the other constructor
     *                       uses, grows whenever a loaded machine preempts the round: a round preempted for 330 ms
     *                       put the next one 6.6 s off and a reset-not-closed report 4.5 × grace late (issue 16,
     *                       BusyNamespaceKernelTest under two busy loops).
     */
    public KernelLeakFinder(KernelReporter reporter, SocketTracker tracker, long graceNanos, SocketProbe probe,
                            UntrackedSockets untracked, LongSupplier threadCpuNanos) {
        this.threadCpuNanos = threadCpuNanos;
        this.reporter = reporter;
        this.tracker = tracker;
        this.clock = tracker.clock();
        this.graceNanos = graceNanos;
        this.probe = probe;
        this.untracked = untracked;
        this.probeIntervalNanos = probeIntervalNanos(graceNanos);
    }

    /**
     * How often {@link #probe()} runs: a quarter of grace, from 10 ms to 15 s. A peer's FIN is seen within a
     * quarter of grace and reported when its grace runs out (see {@link #nextDeadlineNanos()}): within about
     * 1.25 × grace.
     */
    public static long probeIntervalNanos(long graceNanos) {
        return Math.max(10_000_000L, Math.min(graceNanos / 4, 15_000_000_000L));
    }

    /** Probe rounds are at least this many times their own cost apart: at most about 5% of a core. */
    static final int COST_FACTOR = 20;

    /**
     * Probes every tracked socket that could leak without the agent seeing it, and reports those due. Returns the
     * delay until the next round, in nanoseconds: the probe interval, or exactly until the earliest pending socket's
     * grace runs out if that comes first, but never less than {@value #COST_FACTOR} times the CPU time this round's
     * probing took (its reports left out).
     */
    public long probe() {
        long cpu = threadCpuNanos.getAsLong();
        reportingCpuNanos = 0;
        round(clock.nanoTime());
        // What reports cost is left out: the first report of a run loads and formats much (tens of ms), and counted
        // in, it pushed the next round, and another socket's report due just after, back by up to a second (found
        // with OkHttp leaks at grace 2 s: reported at 1.65 x grace).
        long cost = Math.max(0, threadCpuNanos.getAsLong() - cpu - reportingCpuNanos);
        return nextDelayNanos(probeIntervalNanos, nextDeadlineNanos, clock.nanoTime(), cost * COST_FACTOR);
    }

    /** The detector's CPU time spent in reports during this round, ns: not part of the probing's cost. */
    private long reportingCpuNanos;

    private void report(TrackedSocket tracked, LeakKind kind, long now, long since) {
        long before = threadCpuNanos.getAsLong();
        try {
            reporter.report(tracked, kind, now, since);
        } finally {
            reportedSince(before);
        }
    }

    /** Adds the CPU time since {@code cpuBefore} (the thread's, ns) to this round's reporting. */
    private void reportedSince(long cpuBefore) {
        reportingCpuNanos += Math.max(0, threadCpuNanos.getAsLong() - cpuBefore);
    }

    private void round(long now) {
        long deadline = Long.MAX_VALUE;
        boolean closeWaitPending = false;
        int alive = 0;
        int peerClosed = 0;
        for (TrackedSocket tracked : tracker.open) {
            int fd = tracked.endpoints.fd();
            Object socket = tracked.get();
            if (socket == null || fd < 0 || tracked.agentOwned || tracked.state() == TrackedSocket.CLOSED) {
                continue;
            }
            SocketProbe.Result result;
            long seen = now; // when the kernel was in the state the result tells
            if (SocketTracker.stateFromTables(tracked)) {
                UntrackedSockets.TableState table = untracked.tableState(fd, tracked.endpoints);
                result = table.result();
                if (table.seenNanos() - now < 0) {
                    seen = table.seenNanos();
                }
            } else {
                result = probe.probe(socket, fd);
            }
            if (result == SocketProbe.Result.UNKNOWN || tracked.state() == TrackedSocket.CLOSED) {
                continue; // closed meanwhile: nothing it said is about this socket
            }
            if (tracked.state() != TrackedSocket.OPEN || tracked.endOfStream != null) {
                // Reported already, or left to the EOF rule: counted in the summary, never reported again here.
                if (result == SocketProbe.Result.ALIVE) {
                    alive++;
                } else if (result == SocketProbe.Result.PEER_CLOSED) {
                    peerClosed++;
                }
                continue;
            }
            if (tracked.allocation == null && tracked.endpoints.local() != null) {
                tracked.accepted = untracked.isListening(tracked.endpoints.local().getPort()); // adopted
            }
            if (result == SocketProbe.Result.ALIVE) {
                alive++;
                tracked.closeWaitSinceNanos = TrackedSocket.NEVER;
                tracked.connectionGoneSinceNanos = TrackedSocket.NEVER;
            } else if (result == SocketProbe.Result.PEER_CLOSED) {
                peerClosed++;
                tracked.connectionGoneSinceNanos = TrackedSocket.NEVER;
                if (tracked.closeWaitSinceNanos == TrackedSocket.NEVER) {
                    tracked.closeWaitSinceNanos = seen;
                }
                long due = Math.max(tracked.closeWaitSinceNanos, Math.max(tracked.lastWriteNanos,
                        tracked.lastReadNanos)) + graceNanos;
                if (now - due >= 0) {
                    report(tracked, LeakKind.CLOSE_WAIT, now, tracked.closeWaitSinceNanos);
                } else {
                    deadline = Math.min(deadline, due);
                    closeWaitPending = true;
                }
            } else {
                tracked.closeWaitSinceNanos = TrackedSocket.NEVER;
                if (tracked.connectionGoneSinceNanos == TrackedSocket.NEVER) {
                    tracked.connectionGoneSinceNanos = seen;
                }
                long due = tracked.connectionGoneSinceNanos + graceNanos;
                if (now - due >= 0) {
                    report(tracked, LeakKind.RESET_NOT_CLOSED, now, tracked.connectionGoneSinceNanos);
                } else {
                    deadline = Math.min(deadline, due);
                }
            }
        }
        nextDeadlineNanos = deadline;
        reporter.watchWrites(closeWaitPending);
        EnumMap<TcpState, Integer> counts = new EnumMap<>(TcpState.class);
        if (alive > 0) {
            counts.put(TcpState.ESTABLISHED, alive);
        }
        if (peerClosed > 0) {
            counts.put(TcpState.CLOSE_WAIT, peerClosed);
        }
        trackedCounts = counts;
        // After new reports, once the table scans have counted every untracked socket (a listening socket new since
        // the last scan would be missing), or after SUMMARY_MAX_WAITS rounds whatever they say.
        if (reporter.reportedCount() != reportedAtLastSummary
                && (untracked.countsComplete() || ++summaryWaits > SUMMARY_MAX_WAITS)) {
            reportedAtLastSummary = reporter.reportedCount();
            summaryWaits = 0;
            Map<TcpState, Integer> summary = lastCounts();
            if (!summary.equals(lastSummaryCounts) || now - lastSummaryNanos >= SAME_SUMMARY_AFTER_NANOS) {
                lastSummaryCounts = summary;
                lastSummaryNanos = now;
                long before = threadCpuNanos.getAsLong();
                reporter.socketStates(summary);
                reportedSince(before);
            }
        }
    }

    /**
     * When the earliest tracked socket seen in a leaking state reaches its grace, as of the last {@link #probe()}:
     * the next round is due then at the latest; Long.MAX_VALUE if none is pending. In {@link #nowNanos()}' terms.
     */
    public long nextDeadlineNanos() {
        return nextDeadlineNanos;
    }

    /** The grace period, in nanoseconds. */
    public long graceNanos() {
        return graceNanos;
    }

    /** The finder's clock, for comparing with {@link #nextDeadlineNanos()}. */
    public long nowNanos() {
        return clock.nanoTime();
    }

    /**
     * This process's TCP sockets by state, as last seen: tracked sockets by their last probe (a live connection
     * counts as ESTABLISHED, a closed peer as CLOSE_WAIT, a gone connection not at all), the others by the last
     * table scan's rows.
     */
    public Map<TcpState, Integer> lastCounts() {
        return StateCounts.sum(trackedCounts, untracked.lastCounts());
    }

    /**
     * The delay until the next round: {@code regularNanos}, or sooner when the earliest pending deadline comes
     * first, but never sooner than {@code floorNanos} (what rounds may cost). All in nanoseconds, from {@code nowNanos}.
     */
    public static long nextDelayNanos(long regularNanos, long deadlineNanos, long nowNanos, long floorNanos) {
        long delay = regularNanos;
        if (deadlineNanos != Long.MAX_VALUE) {
            delay = Math.min(delay, Math.max(0, deadlineNanos - nowNanos));
        }
        return Math.max(delay, floorNanos);
    }
}
