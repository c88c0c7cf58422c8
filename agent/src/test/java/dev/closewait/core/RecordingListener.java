package dev.closewait.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Keeps every event the detector hands out, in order. */
final class RecordingListener implements LeakListener {

    final List<Leak> leaks = new ArrayList<>();
    final List<LeakOutcome> outcomes = new ArrayList<>();
    final List<Map<TcpState, Integer>> socketStates = new ArrayList<>();

    @Override
    public void leakDetected(Leak leak) {
        leaks.add(leak);
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        outcomes.add(outcome);
    }

    @Override
    public void socketStates(Map<TcpState, Integer> countsByState) {
        socketStates.add(countsByState);
    }
}
