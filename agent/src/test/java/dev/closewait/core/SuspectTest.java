package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The order the report command lists suspects in. */
class SuspectTest {

    private static Suspect suspect(Suspect.Status status, long id) {
        Leak leak = new Leak(LeakKind.CLOSE_WAIT, id, SocketType.SOCKET, false,
                new Endpoints(-1, null, null), "main", 0, -1, null, null, -1, 0, 0, -1);
        return new Suspect(status, leak);
    }

    /** Found in a new-user trial (2026-12-02): a pending row came first, and socket #2 before #1. */
    @Test
    void leakedBeforePendingThenOldestFirstAndSocketsWithoutAnIdLast() {
        List<Suspect> suspects = new ArrayList<>(List.of(
                suspect(Suspect.Status.PENDING, 7),
                suspect(Suspect.Status.LEAKED, 2),
                suspect(Suspect.Status.PENDING, -1),
                suspect(Suspect.Status.LEAKED, 1),
                suspect(Suspect.Status.PENDING, 5),
                suspect(Suspect.Status.LEAKED, -1)));

        suspects.sort(Suspect.ORDER);

        assertEquals(List.of("leaked 1", "leaked 2", "leaked -1", "pending 5", "pending 7", "pending -1"),
                suspects.stream().map(s -> s.status().id() + " " + s.leak().id()).toList());
    }
}
