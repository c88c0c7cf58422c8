package dev.closewait.core;

/** Receives what the detector finds. Called only on the detector's thread, one event at a time. */
public interface LeakListener {

    void leakDetected(Leak leak);

    void leakResolved(LeakOutcome outcome);
}
