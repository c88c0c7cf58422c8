package dev.closewait.report;

import dev.closewait.core.Churn;
import dev.closewait.core.Clock;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.TcpState;

import java.util.Map;

/**
 * Leaks as WARN, what became of them as INFO; a flood of similar ones is held back and summed up once a minute
 * (see {@link FloodGate}).
 */
public final class LogSink implements LeakListener {

    static final int PER_SITE_PER_MINUTE = 10;
    static final int TOTAL_PER_MINUTE = 100;
    static final long MINUTE_NANOS = 60_000_000_000L;

    private final AppLog log;
    private final LeakText text;
    private final ChurnText churnText;
    private final Clock clock;
    private final int stackDepth;
    private final FloodGate leaks = new FloodGate(PER_SITE_PER_MINUTE, TOTAL_PER_MINUTE, MINUTE_NANOS);
    private final FloodGate outcomes = new FloodGate(PER_SITE_PER_MINUTE, TOTAL_PER_MINUTE, MINUTE_NANOS);

    public LogSink(AppLog log, LeakText text, Clock clock) {
        this(log, text, clock, 40);
    }

    /** @param stackDepth frames per stack in the throwable handed to the application's logging */
    public LogSink(AppLog log, LeakText text, Clock clock, int stackDepth) {
        this.log = log;
        this.text = text;
        this.churnText = new ChurnText(text.stackDepth());
        this.clock = clock;
        this.stackDepth = stackDepth;
    }

    @Override
    public void leakDetected(Leak leak) {
        String site = site(leak);
        String example = "#" + leak.id() + " (" + leak.kind().id() + ", " + site + ")";
        long now = clock.nanoTime();
        if (leaks.admit(leak.kind().id() + ' ' + site, example, now)) {
            log.leak(text.message(leak), text.keyValues(leak), LeakTrace.of(leak, stackDepth, text.showsCreation(leak)),
                    text.leak(leak));
        } else {
            String notice = leaks.heldBackNotice(example, now);
            if (notice != null) {
                log.warn("Leaked sockets: " + notice);
            }
        }
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        Leak leak = outcome.leak();
        String site = site(leak);
        if (outcomes.admit(outcome.kind() + " " + site, "the " + outcome.kind().name().toLowerCase(java.util.Locale.ROOT)
                + " leaked socket #" + leak.id() + " (" + site + ")", clock.nanoTime())) {
            log.info(text.outcome(outcome));
        }
    }

    /** Already once per destination and minute, so never held back by the flood gate. */
    @Override
    public void churn(Churn churn) {
        log.warn(churnText.churn(churn));
    }

    @Override
    public void tick() {
        long now = clock.nanoTime();
        // Loops, not lambdas: see IsolatedSink.Event.
        for (String line : leaks.endOfWindow(now)) {
            log.warn("Leaked sockets: " + line);
        }
        for (String line : outcomes.endOfWindow(now)) {
            log.info("Reported sockets: " + line);
        }
    }

    @Override
    public void finish() {
        long now = clock.nanoTime();
        for (String line : leaks.finish(now)) {
            log.warn("Leaked sockets: " + line);
        }
        for (String line : outcomes.finish(now)) {
            log.info("Reported sockets: " + line);
        }
    }

    private String site(Leak leak) {
        String site = text.site(leak);
        if (site != null) {
            return "site " + site;
        }
        return leak.stacksSampledOut() ? "stacks not recorded" : "allocation unknown";
    }

    @Override
    public void socketStates(Map<TcpState, Integer> countsByState) {
        log.info(text.socketStates(countsByState));
    }
}
