package dev.closewait.core;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
    private long reported;
    private boolean kernelWantsWrites; // detector thread only
    /** Drops the record: a class, not a lambda, which the agent's start would link by spinning classes. */
    private static final Consumer<TrackedSocket> IGNORED = new Consumer<>() {
        @Override
        public void accept(TrackedSocket tracked) {
        }
    };

    private Consumer<TrackedSocket> collectedUnclosed = IGNORED;
    private final KernelReporter reporter = new Reporter();

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
        tracker.updateWriteWatch(kernelWantsWrites);
        tracker.shareStacks();
        try {
            listener.tick();
        } catch (Throwable t) {
            errors.record("leak report", t);
        }
    }

    /**
     * Tells {@code consumer} (the kernel view's registry of untracked sockets) of each socket collected without
     * close(), on the detector thread: no longer tracked, but its descriptor may stay open (channels have no
     * cleaner), and the kernel view must not take it for a socket never seen opened. Set once, before scans start.
     */
    public void onCollectedUnclosed(Consumer<TrackedSocket> consumer) {
        collectedUnclosed = consumer;
    }

    /** The narrow way for the kernel view to report through this detector. */
    public KernelReporter reporter() {
        return reporter;
    }

    private final class Reporter implements KernelReporter {
        @Override
        public boolean report(TrackedSocket tracked, LeakKind kind, long nowNanos, long kernelSinceNanos) {
            return LeakDetector.this.report(tracked, kind, nowNanos, kernelSinceNanos);
        }

        @Override
        public void emit(Leak leak) {
            LeakDetector.this.emit(leak);
        }

        @Override
        public void emit(LeakOutcome outcome) {
            LeakDetector.this.emit(outcome);
        }

        @Override
        public void watchWrites(boolean wanted) {
            kernelWantsWrites = wanted;
            tracker.updateWriteWatch(wanted);
            tracker.watchReads(wanted);
        }

        @Override
        public long reportedCount() {
            return reported;
        }

        @Override
        public void socketStates(Map<TcpState, Integer> countsByState) {
            try {
                listener.socketStates(countsByState);
            } catch (Throwable ignored) {
                // the summary is a courtesy; the reports themselves went out
            }
        }
    }

    private void reportCollected(long now) {
        Reference<?> reference;
        while ((reference = tracker.collected.poll()) != null) {
            TrackedSocket tracked = (TrackedSocket) reference;
            if (tracker.open.remove(tracked)) {
                tracker.forgotten(tracked);
            }
            if (tracked.agentOwned) {
                continue;
            }
            if (tracked.state() == TrackedSocket.OPEN) {
                report(tracked, LeakKind.GC_NOT_CLOSED, now);
                collectedUnclosed.accept(tracked);
            } else if (tracked.state() == TrackedSocket.REPORTED) {
                emit(new LeakOutcome(tracked.report, LeakOutcome.Kind.COLLECTED, now, clock.epochMillis(now),
                        null));
                collectedUnclosed.accept(tracked);
            }
        }
    }

    private void reportUnclosedAfterEndOfStream(long now) {
        for (TrackedSocket tracked : tracker.open) {
            if (!SocketTracker.awaitsClose(tracked)) {
                continue;
            }
            long lastActivity = Math.max(tracked.endOfStream.nanoTime(), tracked.lastWriteNanos);
            if (now - lastActivity < graceNanos || tracked.get() == null) {
                continue; // within grace, or collected: the reference queue reports that one
            }
            report(tracked, LeakKind.EOF_NOT_CLOSED, now);
        }
    }

    private boolean report(TrackedSocket tracked, LeakKind kind, long now) {
        return report(tracked, kind, now, TrackedSocket.NEVER);
    }

    /** Reports a tracked socket once; {@code kernelSince} is when the kernel first showed the leaking state. */
    private boolean report(TrackedSocket tracked, LeakKind kind, long now, long kernelSince) {
        Leak leak = snapshot(tracked, kind, now, kernelSince);
        // Published before the state change, so a close racing this report always finds it.
        tracked.report = leak;
        if (!tracked.markReported()) {
            return false;
        }
        emit(leak);
        return true;
    }

    /** What a report of this socket would say now. A socket adopted after attach has no known opening time. */
    Leak snapshot(TrackedSocket tracked, LeakKind kind, long now, long kernelSince) {
        EndOfStream eof = tracked.endOfStream;
        return new Leak(kind, tracked.id, tracked.type, tracked.accepted, tracked.endpoints,
                tracked.openThread, tracked.openedNanos,
                tracked.allocation == null ? -1 : clock.epochMillis(tracked.openedNanos), tracked.allocation,
                eof, eof == null ? -1 : clock.epochMillis(eof.nanoTime()), now, clock.epochMillis(now),
                kernelSince == TrackedSocket.NEVER ? -1 : clock.epochMillis(kernelSince),
                tracked.lastUse, tracked.lastUse == null ? -1 : clock.epochMillis(tracked.lastUse.nanoTime()),
                tracker.reconnectedSince(tracked, now), tracked.creation);
    }

    private void emit(Leak leak) {
        reported++;
        try {
            listener.leakDetected(leak);
        } catch (Throwable t) {
            errors.record("leak report", t);
        }
    }

    /**
     * The current suspects, on the detector's thread: leaks reported and still open, then sockets that will be
     * reported if nothing changes (EOF read, or CLOSE_WAIT, within grace). At most {@code limit}.
     */
    public List<Suspect> suspects(int limit) {
        long now = clock.nanoTime();
        List<Suspect> suspects = new ArrayList<>();
        for (TrackedSocket tracked : tracker.open) {
            if (suspects.size() >= limit) {
                break;
            }
            if (tracked.agentOwned) {
                continue;
            }
            if (tracked.state() == TrackedSocket.REPORTED && tracked.report != null) {
                suspects.add(new Suspect(Suspect.Status.LEAKED, tracked.report));
            } else if (tracked.state() == TrackedSocket.OPEN && tracked.endOfStream != null) {
                suspects.add(new Suspect(Suspect.Status.PENDING,
                        snapshot(tracked, LeakKind.EOF_NOT_CLOSED, now, TrackedSocket.NEVER)));
            } else if (tracked.state() == TrackedSocket.OPEN && tracked.closeWaitSinceNanos != TrackedSocket.NEVER) {
                suspects.add(new Suspect(Suspect.Status.PENDING,
                        snapshot(tracked, LeakKind.CLOSE_WAIT, now, tracked.closeWaitSinceNanos)));
            }
        }
        return suspects;
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
