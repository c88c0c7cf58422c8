package dev.closewait.core;

import java.util.ArrayList;
import java.util.List;

/** Keeps every event the detector hands out, in order. */
final class RecordingListener implements LeakListener {

    final List<Leak> leaks = new ArrayList<>();
    final List<LeakOutcome> outcomes = new ArrayList<>();

    @Override
    public void leakDetected(Leak leak) {
        leaks.add(leak);
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        outcomes.add(outcome);
    }
}
