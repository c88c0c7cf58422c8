package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Sockets of the agent's own (its threads, its endpoint) are remembered only to be left alone. */
class AgentOwnedSocketTest {

    @Test
    void areNeverReportedNorCountedAsTracked() {
        Harness harness = new Harness(Duration.ofSeconds(1));
        Object own = harness.keep(new Object());
        harness.tracker.agentOwned(own, SocketType.SOCKET_CHANNEL, Harness.ENDPOINTS);
        Object application = harness.open();

        assertEquals(1, harness.tracker.trackedCount(), "only the application's socket counts");
        harness.tracker.endOfStream(own);
        harness.clock.advance(Duration.ofSeconds(5));
        harness.detector.scan();
        assertEquals(List.of(), harness.listener.leaks);

        harness.tracker.closed(own);
        harness.tracker.closed(application);
        assertEquals(0, harness.tracker.trackedCount());
    }

    @Test
    void sharingStacksSkipsSocketsWithoutAnAllocationStack() {
        Harness harness = new Harness(Duration.ofSeconds(1));
        Object own = harness.keep(new Object());
        harness.tracker.agentOwned(own, SocketType.SOCKET, Harness.ENDPOINTS);
        Object adopted = harness.keep(new Object());
        harness.tracker.adopted(adopted, SocketType.SOCKET, Harness.ENDPOINTS);

        harness.detector.scan(); // shares the stacks of open sockets: must not trip over the missing ones

        assertNull(harness.tracked(adopted).allocation);
        assertEquals(0, harness.errors.count());
    }

    @Test
    void socketsSampledOutAreStillReportedWithoutStacks() {
        Harness harness = new Harness(Duration.ofSeconds(1));
        harness.tracker.sampleStacks(3);
        for (int i = 0; i < 6; i++) {
            harness.tracker.endOfStream(harness.open());
        }
        harness.clock.advance(Duration.ofSeconds(2));
        harness.detector.scan();

        assertEquals(6, harness.listener.leaks.size(), "sampling never drops a leak");
        for (Leak leak : harness.listener.leaks) {
            assertEquals(!leak.allocationKnown(), leak.stacksSampledOut());
            assertEquals(leak.stacksSampledOut(), leak.endOfStream().site() == CallSite.NOT_SAMPLED);
        }
    }
}
