package dev.closewait.core;

import java.util.function.Consumer;

/** For tests: a listener that hands the churn reports it is told of to a consumer, and ignores leaks. */
public final class ChurnListener implements LeakListener {

    private final Consumer<Churn> churns;

    private ChurnListener(Consumer<Churn> churns) {
        this.churns = churns;
    }

    /** A listener that passes every churn report to {@code churns}. */
    public static LeakListener to(Consumer<Churn> churns) {
        return new ChurnListener(churns);
    }

    @Override
    public void leakDetected(Leak leak) {
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
    }

    @Override
    public void churn(Churn report) {
        churns.accept(report);
    }
}
