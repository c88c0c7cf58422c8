package dev.closewait.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloodGateTest {

    private static final long MINUTE = 60_000_000_000L;

    @Test
    void admitsAFewPerSiteThenHoldsTheRestBack() {
        FloodGate gate = new FloodGate(3, 100, MINUTE);
        for (int i = 0; i < 3; i++) {
            assertTrue(gate.admit("eof A", "#" + i, 0));
        }
        assertFalse(gate.admit("eof A", "#3", 1));
        assertTrue(gate.admit("eof B", "#4", 1), "another site has its own allowance");
    }

    @Test
    void capsTheTotalAcrossSites() {
        FloodGate gate = new FloodGate(10, 5, MINUTE);
        int admitted = 0;
        for (int i = 0; i < 20; i++) {
            admitted += gate.admit("site " + i, "#" + i, 0) ? 1 : 0;
        }
        assertEquals(5, admitted);
    }

    @Test
    void sumsUpWhatItHeldBackOnceTheWindowIsOver() {
        FloodGate gate = new FloodGate(2, 100, MINUTE);
        for (int i = 0; i < 1245; i++) {
            gate.admit("eof A", "#12 (eof-not-closed, allocated at A)", i);
        }
        assertEquals(List.of(), gate.endOfWindow(MINUTE - 1), "not before the window is over");
        assertEquals(List.of("1,243 more like #12 (eof-not-closed, allocated at A) in the last 1m00s were not logged "
                + "one by one (the JSON report and the metrics have them all)."), gate.endOfWindow(MINUTE));
    }

    @Test
    void startsAFreshWindowAfterTheSummary() {
        FloodGate gate = new FloodGate(1, 100, MINUTE);
        gate.admit("k", "#1", 0);
        assertFalse(gate.admit("k", "#2", 1));
        gate.endOfWindow(MINUTE);
        assertTrue(gate.admit("k", "#3", MINUTE + 1));
        assertEquals(List.of(), gate.endOfWindow(2 * MINUTE + 1), "nothing held back in the second window");
    }

    @Test
    void foldsSitesBeyondTheCapIntoOne() {
        FloodGate gate = new FloodGate(1, Integer.MAX_VALUE, MINUTE);
        for (int i = 0; i < FloodGate.MAX_KEYS + 500; i++) {
            gate.admit("site " + i, "#" + i, 0);
        }
        List<String> summaries = gate.endOfWindow(MINUTE);
        assertEquals(1, summaries.size(), summaries.toString());
        assertTrue(summaries.get(0).startsWith("499 more like #1000 "), summaries.get(0));
    }
}
