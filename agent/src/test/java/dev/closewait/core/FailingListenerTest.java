package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A listener that throws must cost the agent one counted error, never the reports that come after it. */
class FailingListenerTest {

    private static final Duration GRACE = Duration.ofSeconds(1);

    /** Records every call, then throws on each one. */
    private static final class ThrowingListener implements LeakListener {
        final RecordingListener calls = new RecordingListener();

        @Override
        public void leakDetected(Leak leak) {
            calls.leakDetected(leak);
            throw new IllegalStateException("sink broke on leak #" + leak.id());
        }

        @Override
        public void leakResolved(LeakOutcome outcome) {
            calls.leakResolved(outcome);
            throw new IllegalStateException("sink broke on outcome");
        }
    }

    private final ThrowingListener throwing = new ThrowingListener();
    private final Harness harness = new Harness(GRACE, throwing);
    private final SocketTracker tracker = harness.tracker;

    @Test
    void keepsReportingAfterTheListenerThrows() {
        Object first = harness.open();
        Object second = harness.open();
        tracker.endOfStream(first);
        tracker.endOfStream(second);
        harness.clock.advance(GRACE);

        harness.detector.scan();

        assertEquals(2, throwing.calls.leaks.size(), "the second leak of the scan is still reported");
        assertEquals(2, harness.errors.count());

        Object third = harness.open();
        harness.collect(third);
        harness.detector.scan();

        assertEquals(3, throwing.calls.leaks.size(), "later scans still report");
        assertEquals(LeakKind.GC_NOT_CLOSED, throwing.calls.leaks.get(2).kind());
        assertEquals(3, harness.errors.count());
    }

    @Test
    void reportsEachLeakOnceEvenWhenTheListenerThrew() {
        Object socket = harness.open();
        tracker.endOfStream(socket);
        harness.clock.advance(GRACE);

        harness.detector.scan();
        harness.clock.advance(GRACE);
        harness.detector.scan();

        assertEquals(1, throwing.calls.leaks.size());
        assertEquals(1, harness.errors.count());
    }

    @Test
    void countsAFailedOutcomeAndDeliversTheNextOne() {
        Object closedLater = harness.open();
        Object collectedLater = harness.open();
        tracker.endOfStream(closedLater);
        tracker.endOfStream(collectedLater);
        harness.clock.advance(GRACE);
        harness.detector.scan();
        long errorsAfterLeaks = harness.errors.count();

        tracker.closed(closedLater);
        harness.collect(collectedLater);
        harness.detector.scan();

        List<LeakOutcome.Kind> kinds = throwing.calls.outcomes.stream().map(LeakOutcome::kind).sorted().toList();
        assertEquals(List.of(LeakOutcome.Kind.CLOSED, LeakOutcome.Kind.COLLECTED), kinds);
        assertEquals(errorsAfterLeaks + 2, harness.errors.count());
    }

    @Test
    void warnsOnceAboutARepeatedListenerFailure() {
        for (int i = 0; i < 3; i++) {
            harness.collect(harness.open());
        }

        harness.detector.scan();

        assertEquals(3, harness.errors.count());
        assertEquals(1, harness.warnings.size(), harness.warnings.toString());
        assertTrue(harness.warnings.get(0).contains("leak report"), harness.warnings.get(0));
        assertTrue(harness.warnings.get(0).contains("IllegalStateException"), harness.warnings.get(0));
    }
}
