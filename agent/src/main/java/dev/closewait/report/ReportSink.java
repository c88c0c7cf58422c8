package dev.closewait.report;

import dev.closewait.core.Churn;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.TcpState;

import java.util.Map;

/** One place reports go (a log, a file). Called on the detector's thread only. */
public interface ReportSink {

    void leak(Leak leak);

    void outcome(LeakOutcome outcome);

    /** Connection churn towards one destination: once per destination and window. */
    default void churn(Churn churn) {
    }

    /** Called after every detector scan: time-based work (summaries of held-back lines). */
    default void tick() {
    }

    /** At JVM exit, after the final scan. */
    default void finish() {
    }

    /** How many of this process's TCP sockets are in each state, after new reports. */
    default void socketStates(Map<TcpState, Integer> countsByState) {
    }
}
