package dev.closewait.core;

import java.util.Map;

/** Receives what the detector finds. Called only on the detector's thread, one event at a time. */
public interface LeakListener {

    void leakDetected(Leak leak);

    void leakResolved(LeakOutcome outcome);

    /** After every detector scan, for time-based work. */
    default void tick() {
    }

    /** Connection churn towards one destination, reported at most once per destination and window. */
    default void churn(Churn churn) {
    }

    /** After a kernel scan that followed new reports: how many of this process's TCP sockets are in each state. */
    default void socketStates(Map<TcpState, Integer> countsByState) {
    }
}
