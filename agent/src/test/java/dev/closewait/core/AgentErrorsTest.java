package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentErrorsTest {

    private final List<String> warnings = new ArrayList<>();
    private final AgentErrors errors = new AgentErrors(warnings::add);

    @Test
    void countsEveryErrorButWarnsOncePerPlaceAndType() {
        errors.record("leak report", new IllegalStateException("one"));
        errors.record("leak report", new IllegalStateException("two"));
        errors.record("leak report", new IOException("three"));
        errors.record("detector", new IllegalStateException("four"));

        assertEquals(4, errors.count());
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("leak report"), warnings.get(0));
        assertTrue(warnings.get(0).contains("java.lang.IllegalStateException: one"), warnings.get(0));
        assertTrue(warnings.get(1).contains("java.io.IOException: three"), warnings.get(1));
        assertTrue(warnings.get(2).contains("detector"), warnings.get(2));
    }

    @Test
    void stopsWarningAfterSixtyFourDistinctCausesButKeepsCounting() {
        for (int i = 0; i < 70; i++) {
            errors.record("place " + i, new RuntimeException());
        }

        assertEquals(70, errors.count());
        assertEquals(64, warnings.size());
    }

    @Test
    void keepsCountingWhenTheWarningItselfFails() {
        AgentErrors failing = new AgentErrors(message -> {
            throw new IllegalStateException("stderr is gone");
        });

        failing.record("leak report", new RuntimeException());
        failing.record("other", new RuntimeException());

        assertEquals(2, failing.count());
    }

    @Test
    void asksTheAgentToTurnItselfOffOnceAtTheLimit() {
        AgentErrors errors = new AgentErrors(line -> { });
        int[] gaveUp = {0};
        errors.onGiveUp(() -> gaveUp[0]++);
        for (long i = 1; i < AgentErrors.GIVE_UP_AFTER; i++) {
            errors.record("hook", new IllegalStateException());
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, gaveUp[0]);
        for (int i = 0; i < 10; i++) {
            errors.record("hook", new IllegalStateException());
        }
        org.junit.jupiter.api.Assertions.assertEquals(1, gaveUp[0]);
    }

    /** A process out of descriptors fails the agent's I/O every second for as long as it lasts: not the agent's fault. */
    @Test
    void ioFailuresAreCountedButNeverTurnTheAgentOff() {
        AgentErrors errors = new AgentErrors(line -> { });
        int[] gaveUp = {0};
        errors.onGiveUp(() -> gaveUp[0]++);
        for (long i = 0; i < 3 * AgentErrors.GIVE_UP_AFTER; i++) {
            errors.record("report command", new java.io.IOException("Too many open files"));
            errors.record("kernel scan", new java.io.UncheckedIOException(new java.io.IOException("Too many open files")));
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, gaveUp[0]);
        org.junit.jupiter.api.Assertions.assertEquals(6 * AgentErrors.GIVE_UP_AFTER, errors.count());
    }

    @Test
    void anIoFailureIsWordedAsSuchNotAsAnInternalError() {
        java.util.List<String> lines = new java.util.ArrayList<>();
        AgentErrors errors = new AgentErrors(lines::add);
        errors.record("report command", new java.io.IOException("Too many open files"));
        errors.record("leak detector", new IllegalStateException("bug"));

        org.junit.jupiter.api.Assertions.assertTrue(lines.get(0).startsWith("closewait: I/O failure in report command "),
                lines.get(0));
        org.junit.jupiter.api.Assertions.assertTrue(lines.get(1).startsWith("closewait: internal error in leak "
                + "detector "), lines.get(1));
    }
}
