package dev.closewait.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    /** The first event held back in a window says so at once, and when the summary comes; later ones say nothing. */
    @Test
    void saysOncePerWindowThatReportsAreHeldBackAndUntilWhen() {
        FloodGate gate = new FloodGate(1, 100, MINUTE);
        assertTrue(gate.admit("eof A", "#1", 0));
        assertFalse(gate.admit("eof A", "#2", 15_000_000_000L));
        assertEquals("more like #2 are held back from the log until this window ends in 45.0s, then summed up per "
                + "site (the JSON report and the metrics have them all).", gate.heldBackNotice("#2", 15_000_000_000L));
        assertTrue(gate.admit("eof B", "#3", 16_000_000_000L));
        assertFalse(gate.admit("eof B", "#4", 16_000_000_000L));
        assertNull(gate.heldBackNotice("#4", 16_000_000_000L), "once per window, whatever the site");

        gate.endOfWindow(MINUTE);
        assertNotNull(gate.heldBackNotice("#9", MINUTE + 1), "a new window says it again");
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
