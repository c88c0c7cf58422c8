package dev.closewait.jfr;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.LeakListener;
import dev.closewait.report.Sites;
import dev.closewait.report.StackFrames;

import java.util.Objects;

/**
 * Commits {@code closewait.Leak} and {@code closewait.LeakClosed} to Java Flight Recorder, where JVM users already
 * look (JMC, continuous recordings, {@code jfr print --events closewait.Leak}). Both are enabled by default in every
 * recording. When no recording runs, {@code shouldCommit()} is false and nothing is built.
 *
 * <p>Loaded only through {@link JfrEvents#sink}, which checks that the runtime has the {@code jdk.jfr} module.
 */
public final class JfrSink implements LeakListener {

    private final int stackDepth;
    private final Sites sites;

    /**
     * Event classes register themselves with JFR when first used.
     *
     * @param sites which frame names the leak's site, as in the other reports
     */
    public JfrSink(int stackDepth, Sites sites) {
        this.stackDepth = stackDepth;
        this.sites = sites;
    }

    @Override
    public void leakDetected(Leak leak) {
        LeakEvent event = new LeakEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.socket(leak);
        event.type = leak.type().displayName();
        event.role = leak.role();
        event.site = Objects.requireNonNullElse(sites.site(leak), "unknown");
        event.thread = leak.thread();
        event.age = leak.ageNanos() < 0 ? -1 : leak.ageNanos() / 1_000_000L;
        event.sinceEof = leak.hasEndOfStream() ? leak.sinceEndOfStreamNanos() / 1_000_000L : -1;
        event.allocation = String.join("\n", StackFrames.of(leak.allocation(), stackDepth));
        event.creation = leak.hasCreation() ? String.join("\n", StackFrames.of(leak.creation().site(), stackDepth)) : "";
        event.commit();
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        LeakClosedEvent event = new LeakClosedEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.socket(outcome.leak());
        event.outcome = outcome.kind() == LeakOutcome.Kind.CLOSED ? "closed" : "collected";
        event.thread = outcome.thread();
        event.afterReport = outcome.leakedForNanos() / 1_000_000L;
        event.commit();
    }
}
