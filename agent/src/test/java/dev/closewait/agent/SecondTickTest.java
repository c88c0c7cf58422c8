package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The detector thread's once-a-second chores share one wakeup; one that throws stops none of the others. */
class SecondTickTest {

    @Test
    void runsEveryChoreInOrderAndCountsAFailureUnderItsName() {
        List<String> warnings = new ArrayList<>();
        AgentErrors errors = new AgentErrors(warnings::add);
        SecondTick tick = new SecondTick(errors);
        List<String> ran = new ArrayList<>();
        tick.add("first", () -> ran.add("first"));
        tick.add("broken", () -> {
            throw new IllegalStateException("disk full");
        });
        tick.add("third", () -> ran.add("third"));

        tick.run();
        tick.run();

        assertEquals(List.of("first", "third", "first", "third"), ran);
        assertEquals(2, errors.count());
        assertEquals(true, warnings.stream().anyMatch(line -> line.contains("broken")), String.valueOf(warnings));
    }
}
