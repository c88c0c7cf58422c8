package dev.closewait.report;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sink's thread is woken for the detector's tick only when the sink has a tick of its own. */
class IsolatedSinkTickTest {

    private static class Quiet implements LeakListener {
        @Override
        public void leakDetected(Leak leak) {
        }

        @Override
        public void leakResolved(LeakOutcome outcome) {
        }
    }

    private static final class Ticking extends Quiet {
        final AtomicInteger ticks = new AtomicInteger();

        @Override
        public void tick() {
            ticks.incrementAndGet();
        }
    }

    @Test
    void onlyASinkWithATickOfItsOwnIsTicked() {
        assertFalse(IsolatedSink.overridesTick(new Quiet()));
        assertTrue(IsolatedSink.overridesTick(new Ticking()));
        assertTrue(IsolatedSink.overridesTick(new ReportDispatcher(java.util.List.of(), java.util.List.of(), java.util.List.of(), line -> { })),
                "the dispatcher passes ticks on");
    }

    @Test
    void aSinkWithATickStillGetsIt() {
        Ticking ticking = new Ticking();
        IsolatedSink sink = new IsolatedSink("test", ticking, line -> { }, 0); // 0: called on this thread

        sink.tick();

        assertEquals(1, ticking.ticks.get());
    }
}
