package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Open sockets share one copy of each distinct allocation stack, and reports still show the same frames. */
class StackTableTest {

    private final StackTable table = new StackTable();

    @Test
    void sharesOneCallSiteBetweenStacksWithTheSameFrames() {
        List<CallSite> sites = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sites.add(new CallSite()); // the same line each time: identical frames
        }

        CallSite shared = table.share(sites.get(0));

        assertTrue(shared.isShared());
        assertSame(shared, table.share(sites.get(1)));
        assertSame(shared, table.share(sites.get(2)));
        assertSame(shared, table.share(shared));
        assertArrayEquals(sites.get(2).getStackTrace(), shared.getStackTrace());
        assertEquals(1, table.size());
    }

    @Test
    void keepsStacksWithDifferentFramesApart() {
        CallSite one = new CallSite();
        CallSite other = new CallSite();

        assertNotSame(table.share(one), table.share(other));
        assertEquals(2, table.size());
    }

    @Test
    void leavesNewStacksUnsharedOnceFull() {
        for (int i = 0; i < StackTable.MAX_STACKS; i++) {
            table.share(withFrames("app.Handler", i));
        }
        CallSite oneTooMany = withFrames("app.Other", 1);

        assertSame(oneTooMany, table.share(oneTooMany));
        assertEquals(StackTable.MAX_STACKS, table.size());
        assertTrue(table.share(withFrames("app.Handler", 7)).isShared(), "known stacks are still shared");
    }

    @Test
    void detectorScanGivesOpenSocketsTheSharedStackAndReportsTheSameFrames() {
        Harness harness = new Harness(Duration.ofSeconds(30));
        List<Object> sockets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sockets.add(harness.open()); // the same line each time: identical frames
        }
        StackTraceElement[] captured = harness.tracked(sockets.get(0)).allocation.getStackTrace();

        harness.detector.scan();

        CallSite shared = harness.tracked(sockets.get(0)).allocation;
        assertTrue(shared.isShared());
        assertSame(shared, harness.tracked(sockets.get(1)).allocation);
        assertSame(shared, harness.tracked(sockets.get(2)).allocation);
        assertArrayEquals(captured, shared.getStackTrace());
        assertEquals(1, harness.tracker.sharedStacks());

        harness.tracker.closed(sockets.get(1));
        harness.collect(sockets.get(2));
        harness.clock.advance(Duration.ofSeconds(1));
        harness.detector.scan();

        assertEquals(1, harness.listener.leaks.size());
        assertArrayEquals(captured, harness.listener.leaks.get(0).allocation().getStackTrace());
    }

    private static CallSite withFrames(String className, int line) {
        CallSite site = new CallSite();
        site.setStackTrace(new StackTraceElement[] {
                new StackTraceElement(className, "handle", "Handler.java", line),
                new StackTraceElement("java.lang.Thread", "run", "Thread.java", 840)});
        return site;
    }
}
