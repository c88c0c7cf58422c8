package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the tracker records a socket's last use: at the start of each request after the first one the allocation
 * stack already shows, on another thread, or where an accepted socket answers; never for every read or write.
 * The events come as {@link dev.closewait.bootstrap.SocketHooks} sends them: once per run of reads or writes.
 */
class LastUseTest {

    private final Harness harness = new Harness(Duration.ofSeconds(30));
    private final SocketTracker tracker = harness.tracker;

    private Object client() {
        Object socket = harness.keep(new Object());
        tracker.opened(socket, SocketType.SOCKET, false, Harness.ENDPOINTS);
        return socket;
    }

    private LastUse lastUse(Object socket) {
        return harness.tracked(socket).lastUse();
    }

    /** Runs {@code action} on a new thread named {@code name} and waits for it. */
    private static void onThread(String name, Runnable action) throws InterruptedException {
        Thread thread = new Thread(action, name);
        thread.start();
        thread.join(10_000);
        assertFalse(thread.isAlive());
    }

    private static void firstRequest(SocketTracker tracker, Object socket) {
        tracker.used(socket, true);
        tracker.used(socket, false);
    }

    private static void secondRequest(SocketTracker tracker, Object socket) {
        tracker.used(socket, true);
        tracker.used(socket, false);
    }

    @Test
    void recordsNothingForTheRequestThatOpenedTheConnection() {
        Object socket = client();

        firstRequest(tracker, socket);

        assertNull(lastUse(socket), "the allocation stack shows that request");
    }

    @Test
    void recordsTheStackOfTheNextRequestOnTheSameThread() {
        Object socket = client();
        firstRequest(tracker, socket);
        harness.clock.advance(Duration.ofSeconds(3));

        secondRequest(tracker, socket);

        LastUse use = lastUse(socket);
        assertNotNull(use);
        assertTrue(use.write(), "the request's write, not the read of its reply");
        assertEquals(Harness.START_NANOS + 3_000_000_000L, use.nanoTime());
        assertEquals(Thread.currentThread().getName(), use.thread());
        assertTrue(Arrays.stream(use.site().getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("secondRequest")),
                Arrays.toString(use.site().getStackTrace()));
    }

    @Test
    void keepsTheRequestsStackWhenItsReplyIsRead() {
        Object socket = client();
        firstRequest(tracker, socket);
        tracker.used(socket, true);
        LastUse request = lastUse(socket);

        tracker.used(socket, false);

        assertSame(request, lastUse(socket));
    }

    @Test
    void recordsAUseOnAnotherThreadEvenIfItIsTheFirst() throws InterruptedException {
        Object socket = client();

        onThread("pool-worker", () -> tracker.used(socket, true));

        assertEquals("pool-worker", lastUse(socket).thread());
    }

    @Test
    void recordsWhereAnAcceptedSocketIsReadAndWhereItIsAnswered() throws InterruptedException {
        Object socket = harness.open(); // accepted, on this thread

        onThread("handler", () -> tracker.used(socket, false));
        LastUse read = lastUse(socket);
        onThread("handler-2", () -> {
            tracker.used(socket, false);
            tracker.used(socket, true);
        });

        assertEquals("handler", read.thread());
        assertFalse(read.write());
        assertTrue(lastUse(socket).write(), "the handler's answer");
        assertEquals("handler-2", lastUse(socket).thread());
    }

    @Test
    void recordsNothingForAServerThatAnswersOnTheAcceptingThread() {
        Object socket = harness.open();

        tracker.used(socket, false);
        tracker.used(socket, true);

        assertNull(lastUse(socket), "one request on the opening thread: the allocation stack shows it");
    }

    @Test
    void recordsNothingForSocketsWhoseStacksAreSampledOut() throws InterruptedException {
        tracker.sampleStacks(1_000_000);
        Object socket = client();

        onThread("pool-worker", () -> tracker.used(socket, true));

        assertNull(lastUse(socket));
    }

    @Test
    void ignoresSocketsItDoesNotTrack() {
        tracker.used(new Object(), true);

        assertEquals(0, tracker.trackedCount());
    }

    @Test
    void reportsCarryTheLastUse() {
        Object socket = client();
        firstRequest(tracker, socket);
        secondRequest(tracker, socket);
        LastUse use = lastUse(socket);

        Leak leak = harness.detector.snapshot(harness.tracked(socket), LeakKind.CLOSE_WAIT,
                harness.clock.nanoTime(), TrackedSocket.NEVER);

        assertSame(use, leak.lastUse());
        assertTrue(leak.hasLastUse());
        assertEquals(leak.stacks().get(0), use.site(), "last use first");
    }

    @Test
    void seesThatANewerConnectionToTheSamePeerWasOpenedAfterTheLastUse() {
        Object leased = client();
        firstRequest(tracker, leased);
        secondRequest(tracker, leased);
        long now = harness.clock.nanoTime();
        assertFalse(tracker.reconnectedSince(harness.tracked(leased), now), "nothing newer yet");

        harness.clock.advance(Duration.ofMillis(5));
        client();
        now = harness.clock.nanoTime();

        assertTrue(tracker.reconnectedSince(harness.tracked(leased), now));
        assertFalse(tracker.reconnectedSince(harness.tracked(harness.open()), now), "accepted sockets: no pool");
    }

    @Test
    void aConnectionStillInItsFirstRequestWhenAnotherOpensWasNotLeftLeased() {
        Object first = client();
        tracker.used(first, true); // request sent
        harness.clock.advance(Duration.ofMillis(5));
        client(); // a concurrent request opens its own connection
        harness.clock.advance(Duration.ofMillis(5));
        tracker.used(first, false); // the reply arrives: the first connection was busy, not leased and forgotten
        long now = harness.clock.nanoTime();

        assertFalse(tracker.reconnectedSince(harness.tracked(first), now));
    }
}
