package dev.closewait.core;

import java.util.Map;

/**
 * Receives what the detector finds: the one interface for everything that takes reports (the dispatcher, each report
 * sink, the metrics). The detector calls it on its own thread, one event at a time; the dispatcher hands each sink
 * the same calls on a thread of that sink's own.
 */
public interface LeakListener {

    void leakDetected(Leak leak);

    void leakResolved(LeakOutcome outcome);

    /** After every detector scan, for time-based work (summaries of held-back lines). */
    default void tick() {
    }

    /** Connection churn towards one destination, reported at most once per destination and window. */
    default void churn(Churn churn) {
    }

    /** After a kernel scan that followed new reports: how many of this process's TCP sockets are in each state. */
    default void socketStates(Map<TcpState, Integer> countsByState) {
    }

    /** At JVM exit, after the final scan: write out what is still held back. */
    default void finish() {
    }
}
