package dev.closewait.report;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;

import java.util.List;

/**
 * Hands each event to every sink, after the include/exclude filters on the allocation stack. One failing sink does
 * not keep the others from reporting.
 */
public final class ReportDispatcher implements LeakListener {

    private final List<ReportSink> sinks;
    private final List<String> include;
    private final List<String> exclude;
    private final AgentErrors errors;

    public ReportDispatcher(List<ReportSink> sinks, List<String> include, List<String> exclude, AgentErrors errors) {
        this.sinks = List.copyOf(sinks);
        this.include = include;
        this.exclude = exclude;
        this.errors = errors;
    }

    @Override
    public void leakDetected(Leak leak) {
        if (!wanted(leak)) {
            return;
        }
        for (ReportSink sink : sinks) {
            try {
                sink.leak(leak);
            } catch (Throwable t) {
                errors.record("report to " + sink.getClass().getSimpleName(), t);
            }
        }
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        if (!wanted(outcome.leak())) {
            return;
        }
        for (ReportSink sink : sinks) {
            try {
                sink.outcome(outcome);
            } catch (Throwable t) {
                errors.record("report to " + sink.getClass().getSimpleName(), t);
            }
        }
    }

    private boolean wanted(Leak leak) {
        if (!include.isEmpty() && !StackFrames.mentions(leak.allocation(), include)) {
            return false;
        }
        return exclude.isEmpty() || !StackFrames.mentions(leak.allocation(), exclude);
    }
}
