package dev.closewait.report;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;

/** One place reports go (a log, a file). Called on the detector's thread only. */
public interface ReportSink {

    void leak(Leak leak);

    void outcome(LeakOutcome outcome);
}
