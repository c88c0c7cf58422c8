package dev.closewait.report;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.TcpState;

import java.util.Map;

/** Leaks as WARN, what became of them as INFO. */
public final class LogSink implements ReportSink {

    private final AppLog log;
    private final LeakText text;

    public LogSink(AppLog log, LeakText text) {
        this.log = log;
        this.text = text;
    }

    @Override
    public void leak(Leak leak) {
        log.warn(text.leak(leak));
    }

    @Override
    public void outcome(LeakOutcome outcome) {
        log.info(text.outcome(outcome));
    }

    @Override
    public void socketStates(Map<TcpState, Integer> countsByState) {
        log.info(text.socketStates(countsByState));
    }
}
