package dev.closewait.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Counts of sockets by TCP state, kept in plain maps by the detector thread. Loops, not {@code Map.merge} with
 * {@code Integer::sum} or {@code removeIf} with a lambda: the detector runs these in its first rounds, and linking a
 * lambda there spins a hidden class and method handles in the application's start (docs/performance.md "Start-up
 * CPU"; {@code NoLambdaOnTheWatchPathTest}).
 */
final class StateCounts {

    private StateCounts() {
    }

    /** Adds {@code delta} (may be negative) to the count of {@code state}; a missing count is 0. */
    static void add(Map<TcpState, Integer> counts, TcpState state, int delta) {
        Integer count = counts.get(state);
        counts.put(state, count == null ? delta : count + delta);
    }

    /** Removes the states whose count is 0 or less. */
    static void dropEmpty(Map<TcpState, Integer> counts) {
        for (Iterator<Integer> it = counts.values().iterator(); it.hasNext(); ) {
            if (it.next() <= 0) {
                it.remove();
            }
        }
    }

    /**
     * The sums of {@code a} and {@code b} by state (b's counts may be negative), without the states whose sum is 0 or
     * less; unmodifiable. Neither is changed.
     */
    static Map<TcpState, Integer> sum(Map<TcpState, Integer> a, Map<TcpState, Integer> b) {
        EnumMap<TcpState, Integer> merged = new EnumMap<>(TcpState.class);
        merged.putAll(a);
        for (Map.Entry<TcpState, Integer> entry : b.entrySet()) {
            add(merged, entry.getKey(), entry.getValue());
        }
        dropEmpty(merged);
        return Collections.unmodifiableMap(merged);
    }
}
