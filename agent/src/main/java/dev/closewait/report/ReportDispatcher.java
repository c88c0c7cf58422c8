package dev.closewait.report;

import dev.closewait.core.Churn;
import dev.closewait.core.CallSite;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.TcpState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Hands each event to every sink, after the include/exclude filters on the allocation stack. Each sink runs on a
 * thread of its own behind a bounded queue ({@link IsolatedSink}): a sink that blocks or fails never delays or drops
 * another's events, never blocks the detector, and uses up only its own failure budget.
 */
public final class ReportDispatcher implements LeakListener {

    private final List<IsolatedSink> sinks;
    private final List<String> include;
    private final List<String> exclude;
    /** A leak passed the filters since the last summary (detector thread, like every event). */
    private volatile boolean reportedSinceSummary;

    /**
     * A sink and the short name its thread and messages carry ("log", "json", "metrics"). An {@code inMemory} sink
     * (counters: the metrics, the status counts) does no I/O and calls nothing that can block, so it is called on the
     * detector's thread, before the others are handed the event (a meter has counted a leak by the time the JSON
     * report shows it); it still has its own failure budget.
     */
    public record Sink(String name, LeakListener listener, boolean inMemory) {

        /** A sink that writes somewhere, on a thread of its own. */
        public Sink(String name, LeakListener listener) {
            this(name, listener, false);
        }
    }

    /**
     * @param sinks   where reports go, each isolated from the others
     * @param include allocation-stack prefixes of which one must appear; empty for all
     * @param exclude allocation-stack prefixes of which none may appear
     * @param warn    where the agent's own one-line messages go (a sink's first failures, dropped events)
     */
    public ReportDispatcher(List<Sink> sinks, List<String> include, List<String> exclude, Consumer<String> warn) {
        this(sinks, include, exclude, warn, IsolatedSink.QUEUE_CAPACITY);
    }

    ReportDispatcher(List<Sink> sinks, List<String> include, List<String> exclude, Consumer<String> warn,
                     int queueCapacity) {
        // Inline sinks first, each group in the given order. Loops here and below, not lambdas or streams: this runs
        // during the agent's start, where each lambda is linked by spinning a class and method handles
        // (docs/performance.md, "Start-up CPU"), and the per-event loops below run on its first seconds too.
        List<IsolatedSink> inline = new ArrayList<>();
        List<IsolatedSink> queued = new ArrayList<>();
        for (Sink sink : sinks) {
            IsolatedSink isolated =
                    new IsolatedSink(sink.name(), sink.listener(), warn, sink.inMemory() ? 0 : queueCapacity);
            (isolated.inline() ? inline : queued).add(isolated);
        }
        inline.addAll(queued);
        this.sinks = List.copyOf(inline);
        this.include = include;
        this.exclude = exclude;
    }

    @Override
    public void leakDetected(Leak leak) {
        if (wanted(leak)) {
            reportedSinceSummary = true;
            for (IsolatedSink sink : sinks) {
                sink.leakDetected(leak);
            }
        }
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        if (wanted(outcome.leak())) {
            for (IsolatedSink sink : sinks) {
                sink.leakResolved(outcome);
            }
        }
    }

    /** Churn passes the same include/exclude filters, on the stack of the site that opened the connections. */
    @Override
    public void churn(Churn churn) {
        if (wanted(churn.stack())) {
            for (IsolatedSink sink : sinks) {
                sink.churn(churn);
            }
        }
    }

    /**
     * The summary line follows new reports: it is passed on only if a leak passed the filters since the last one,
     * so that a leak the filters dropped brings no lone summary.
     */
    @Override
    public void socketStates(Map<TcpState, Integer> countsByState) {
        if (!reportedSinceSummary) {
            return;
        }
        reportedSinceSummary = false;
        for (IsolatedSink sink : sinks) {
            sink.socketStates(countsByState);
        }
    }

    @Override
    public void tick() {
        for (IsolatedSink sink : sinks) {
            sink.tick();
        }
    }

    /** At JVM exit: tells every sink to write out what it holds back. */
    @Override
    public void finish() {
        for (IsolatedSink sink : sinks) {
            sink.finish();
        }
    }

    /**
     * Waits until every sink has handled what it was given, at most until {@code deadlineNanos}
     * ({@link System#nanoTime()}); a stuck sink is given up on. True if all of them got through.
     */
    public boolean drain(long deadlineNanos) {
        boolean all = true;
        for (IsolatedSink sink : sinks) {
            try {
                all &= sink.drained(deadlineNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return all;
    }

    /** Stops every sink's thread (when the agent turns itself off). */
    public void stop() {
        for (IsolatedSink sink : sinks) {
            sink.stop();
        }
    }

    /** Errors all sinks threw, each counted against that sink's own budget. */
    public long failures() {
        long failures = 0;
        for (IsolatedSink sink : sinks) {
            failures += sink.failures();
        }
        return failures;
    }

    /** Errors the sink of this name threw; 0 for no such sink. */
    public long failures(String sinkName) {
        long failures = 0;
        for (IsolatedSink sink : sinks) {
            if (sink.name().equals(sinkName)) {
                failures += sink.failures();
            }
        }
        return failures;
    }

    /** Events dropped, over all sinks, because a sink was not keeping up. */
    public long dropped() {
        long dropped = 0;
        for (IsolatedSink sink : sinks) {
            dropped += sink.dropped();
        }
        return dropped;
    }

    /**
     * {@code include} matches any of the leak's stacks (last use, allocation, creation, EOF): a server's accepted socket, or one
     * a library opens on its own thread, has no application frame where it was opened, only where the application's
     * handler used it (found with Netty, Jetty and OkHttp, 2026-12-01: include=the application dropped them all).
     * {@code exclude} matches the code that opened the socket only: the allocation stack, and for a channel a library
     * connected on its own thread, where it was created (Netty's Bootstrap). A leak with no stack at
     * all is reported whatever the filters say when the agent saw it opened ({@code stack-sample} left its stacks
     * out: sampling must never hide a leak), and dropped by {@code include} when it did not (allocation unknown).
     */
    private boolean wanted(Leak leak) {
        if (include.isEmpty() && exclude.isEmpty()) {
            return true;
        }
        List<CallSite> stacks = leak.stacks();
        if (stacks.isEmpty()) {
            return leak.allocation() == CallSite.NOT_SAMPLED || include.isEmpty();
        }
        if (!include.isEmpty() && stacks.stream().noneMatch(stack -> StackFrames.mentions(stack, include))) {
            return false;
        }
        return exclude.isEmpty() || !StackFrames.mentions(leak.allocation(), exclude)
                && !(leak.hasCreation() && StackFrames.mentions(leak.creation().site(), exclude));
    }

    private boolean wanted(Throwable allocation) {
        if (!include.isEmpty() && !StackFrames.mentions(allocation, include)) {
            return false;
        }
        return exclude.isEmpty() || !StackFrames.mentions(allocation, exclude);
    }
}
