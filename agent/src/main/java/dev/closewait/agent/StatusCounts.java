package dev.closewait.agent;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.LeakListener;

import java.util.concurrent.atomic.AtomicLong;

/** Counts what reached the report sinks, for the status command: leaks, and what became of them after the report. */
final class StatusCounts implements LeakListener {

    private final AtomicLong reported = new AtomicLong();
    private final AtomicLong closedAfterReport = new AtomicLong();
    private final AtomicLong collectedAfterReport = new AtomicLong();

    @Override
    public void leakDetected(Leak leak) {
        reported.incrementAndGet();
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        (outcome.kind() == LeakOutcome.Kind.CLOSED ? closedAfterReport : collectedAfterReport).incrementAndGet();
    }

    long reported() {
        return reported.get();
    }

    long closedAfterReport() {
        return closedAfterReport.get();
    }

    long collectedAfterReport() {
        return collectedAfterReport.get();
    }
}
