package dev.closewait.core;

import java.lang.ref.Reference;

/**
 * Decides, on its own thread and clock, which tracked sockets have leaked: those that read EOF and were neither
 * closed nor written to for the grace period, and those collected without close(). Each socket is reported once.
 */
public final class LeakDetector {

    private final SocketTracker tracker;
    private final Clock clock;
    private final long graceNanos;
    private final LeakListener listener;
    private final AgentErrors errors;

    public LeakDetector(SocketTracker tracker, long graceNanos, LeakListener listener, AgentErrors errors) {
        this.tracker = tracker;
        this.clock = tracker.clock();
        this.graceNanos = graceNanos;
        this.listener = listener;
        this.errors = errors;
    }

    /** How often {@link #scan()} should run so that a leak is reported within about 1.25 × grace. */
    public static long scanIntervalNanos(long graceNanos) {
        return Math.max(10_000_000L, Math.min(graceNanos / 4, 5_000_000_000L));
    }

    public void scan() {
        long now = clock.nanoTime();
        reportCollected(now);
        reportUnclosedAfterEndOfStream(now);
        reportOutcomes();
        tracker.watchWrites(!tracker.awaitingClose.isEmpty());
        tracker.shareStacks();
    }

    private void reportCollected(long now) {
        Reference<?> reference;
        while ((reference = tracker.collected.poll()) != null) {
            TrackedSocket tracked = (TrackedSocket) reference;
            tracker.open.remove(tracked);
            tracker.awaitingClose.remove(tracked);
            if (tracked.state() == TrackedSocket.OPEN) {
                report(tracked, LeakKind.GC_NOT_CLOSED, now);
            } else if (tracked.state() == TrackedSocket.REPORTED) {
                emit(new LeakOutcome(tracked.report, LeakOutcome.Kind.COLLECTED, now, clock.epochMillis(now),
                        null));
            }
        }
    }

    private void reportUnclosedAfterEndOfStream(long now) {
        for (TrackedSocket tracked : tracker.awaitingClose) {
            if (tracked.state() != TrackedSocket.OPEN) {
                tracker.awaitingClose.remove(tracked);
                continue;
            }
            long lastActivity = Math.max(tracked.endOfStream.nanoTime(), tracked.lastWriteNanos);
            if (now - lastActivity < graceNanos || tracked.get() == null) {
                continue; // within grace, or collected: the reference queue reports that one
            }
            if (report(tracked, LeakKind.EOF_NOT_CLOSED, now)) {
                tracker.awaitingClose.remove(tracked);
            }
        }
    }

    private boolean report(TrackedSocket tracked, LeakKind kind, long now) {
        EndOfStream eof = tracked.endOfStream;
        Leak leak = new Leak(kind, tracked.id, tracked.type, tracked.accepted, tracked.endpoints,
                tracked.openThread, tracked.openedNanos, clock.epochMillis(tracked.openedNanos), tracked.allocation,
                eof, eof == null ? -1 : clock.epochMillis(eof.nanoTime()), now, clock.epochMillis(now));
        // Published before the state change, so a close racing this report always finds it.
        tracked.report = leak;
        if (!tracked.markReported()) {
            return false;
        }
        try {
            listener.leakDetected(leak);
        } catch (Throwable t) {
            errors.record("leak report", t);
        }
        return true;
    }

    private void reportOutcomes() {
        LeakOutcome outcome;
        while ((outcome = tracker.outcomes.poll()) != null) {
            emit(outcome);
        }
    }

    private void emit(LeakOutcome outcome) {
        try {
            listener.leakResolved(outcome);
        } catch (Throwable t) {
            errors.record("leak report", t);
        }
    }
}
