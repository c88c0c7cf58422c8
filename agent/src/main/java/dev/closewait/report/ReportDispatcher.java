package dev.closewait.report;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.Churn;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.TcpState;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
        if (wanted(leak)) {
            toEachSink(sink -> sink.leak(leak));
        }
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        if (wanted(outcome.leak())) {
            toEachSink(sink -> sink.outcome(outcome));
        }
    }

    /** Churn passes the same include/exclude filters, on the stack of the site that opened the connections. */
    @Override
    public void churn(Churn churn) {
        if (wanted(churn.stack())) {
            toEachSink(sink -> sink.churn(churn));
        }
    }

    @Override
    public void socketStates(Map<TcpState, Integer> countsByState) {
        toEachSink(sink -> sink.socketStates(countsByState));
    }

    @Override
    public void tick() {
        toEachSink(ReportSink::tick);
    }

    /** At JVM exit. */
    public void finish() {
        toEachSink(ReportSink::finish);
    }

    private void toEachSink(Consumer<ReportSink> event) {
        for (ReportSink sink : sinks) {
            try {
                event.accept(sink);
            } catch (Throwable t) {
                errors.record("report to " + sink.getClass().getSimpleName(), t);
            }
        }
    }

    private boolean wanted(Leak leak) {
        return wanted(leak.allocation());
    }

    private boolean wanted(Throwable allocation) {
        if (!include.isEmpty() && !StackFrames.mentions(allocation, include)) {
            return false;
        }
        return exclude.isEmpty() || !StackFrames.mentions(allocation, exclude);
    }
}
