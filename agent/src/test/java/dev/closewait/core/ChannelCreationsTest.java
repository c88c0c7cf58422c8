package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a client channel was created is kept for a socket another thread connects (Netty's Bootstrap creates the
 * channel on the caller's thread and connects it on an event loop), and only paid for where it can matter.
 */
class ChannelCreationsTest {

    private static final Endpoints PEER = endpoints(51000, 6379);

    private final FakeClock clock = new FakeClock(Harness.START_NANOS);
    private final List<Object> alive = new ArrayList<>();
    /** What the fake random source returns next; 0 means "this one" for every one-in-N draw. */
    private int nextDraw;
    private final StackCapture capture = new StackCapture(bound -> nextDraw % bound);
    private final SocketTracker tracker = new SocketTracker(clock, watching -> { }, capture);

    @Test
    void aChannelConnectedOnAnotherThreadKeepsWhereItWasCreated() throws Exception {
        Object channel = keep();
        tracker.created(channel);
        TrackedSocket tracked = connectOnAnotherThread(tracker, channel, PEER);

        Creation creation = tracked.creation;
        assertNotNull(creation, "created here, connected on the event loop");
        assertEquals(Thread.currentThread().getName(), creation.thread());
        assertEquals(Harness.START_NANOS, creation.nanoTime());
        assertTrue(mentions(creation.site(), "aChannelConnectedOnAnotherThreadKeepsWhereItWasCreated"),
                "the stack at creation is this test's");
        assertEquals(-1, tracked.allocation.standsInFor(), "its own connect stack goes with it");
        assertEquals(0, tracker.pendingCreations(), "taken out at connect");

        LeakDetector detector = new LeakDetector(tracker, Duration.ofSeconds(1).toNanos(), new RecordingListener(),
                new AgentErrors(warning -> { }));
        Leak leak = detector.snapshot(tracked, LeakKind.CLOSE_WAIT, clock.nanoTime(), TrackedSocket.NEVER);
        assertTrue(leak.hasCreation());
        assertEquals(List.of(tracked.allocation, creation.site()), leak.stacks(), "last use, allocation, creation");
    }

    /**
     * An event loop that creates a channel and connects it in a task it runs later (a reconnect, a proxy's backend):
     * one thread, and only the creation's stack holds the code that asked for it (2026-12-02).
     */
    @Test
    void aChannelCreatedAndConnectedOnOneThreadKeepsWhereItWasCreated() {
        Object channel = keep();
        tracker.created(channel);
        TrackedSocket tracked = tracker.opened(channel, SocketType.SOCKET_CHANNEL, false, PEER);

        assertNotNull(tracked.creation);
        assertTrue(mentions(tracked.creation.site(), "aChannelCreatedAndConnectedOnOneThreadKeepsWhereItWasCreated"));
        assertEquals(-1, tracked.allocation.standsInFor());
    }

    /**
     * A thread that connects channels of its own between Netty connects: every handed-off channel keeps its creation.
     * The choice followed the thread's last channel before, and each Netty channel after an own connect lost it.
     */
    @Test
    void aThreadThatMixesItsOwnConnectsWithHandOffsKeepsEveryCreation() throws Exception {
        List<Boolean> handedOffKept = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Object own = keep();
            tracker.created(own);
            tracker.opened(own, SocketType.SOCKET_CHANNEL, false, endpoints(52000 + i, 8080));
            Object handedOff = keep();
            tracker.created(handedOff);
            handedOffKept.add(connectOnAnotherThread(tracker, handedOff, PEER).creation != null);
        }
        assertEquals(List.of(true, true, true), handedOffKept);
    }

    /**
     * A new thread per task (virtual threads) to one adapted site would pay a capture for each thread's first channel:
     * a new thread starts with the site the last new thread's first channel connected to. That site is read live:
     * once it leaks, the next new thread's creation is captured again.
     */
    @Test
    void aNewThreadStartsWithTheSiteOfTheLastNewThreadsFirstChannel() throws Exception {
        adaptPeer();
        nextDraw = 1; // every one-in-N draw says "not this one"
        onAnotherThread("task-1", () -> {
            Object own = keep();
            tracker.created(own);
            tracker.opened(own, SocketType.SOCKET_CHANNEL, false, PEER);
        });
        Object[] handedOff = new Object[2];
        onAnotherThread("task-2", () -> {
            handedOff[0] = keep();
            tracker.created(handedOff[0]);
        });
        TrackedSocket second = connectOnAnotherThread(tracker, handedOff[0], PEER);
        assertTrue(second.allocation.standsInFor() >= 0,
                "the last new thread's first channel went to an adapted site: this creation was sampled out");

        second.site.leaked();
        onAnotherThread("task-3", () -> {
            handedOff[1] = keep();
            tracker.created(handedOff[1]);
        });
        TrackedSocket third = connectOnAnotherThread(tracker, handedOff[1], PEER);
        assertNotNull(third.creation, "the site leaked since: captured again");
        assertEquals(-1, third.allocation.standsInFor());
    }

    /**
     * On an adapted site the socket whose creation was captured becomes the stand-in, creation and all: a sampled-out
     * channel's report shows where a channel of its site was created, not only the library's connect (2026-12-02:
     * socket #2004 stood in with Netty's connect stack alone).
     */
    @Test
    void aStandInOfAnAdaptedSiteCarriesTheCreationOfTheSocketItStandsFor() throws Exception {
        adaptPeer();
        nextDraw = 0;
        Object sampled = keep();
        tracker.created(sampled);
        TrackedSocket representative = connectOnAnotherThread(tracker, sampled, PEER);
        assertNotNull(representative.creation);

        nextDraw = 1;
        clock.advance(Duration.ofMillis(10));
        Object standing = keep();
        tracker.created(standing);
        TrackedSocket tracked = connectOnAnotherThread(tracker, standing, PEER);

        assertEquals(representative.id, tracked.allocation.standsInFor());
        assertSame(representative.creation, tracked.creation);
        LeakDetector detector = new LeakDetector(tracker, Duration.ofSeconds(1).toNanos(), new RecordingListener(),
                new AgentErrors(warning -> { }));
        Leak leak = detector.snapshot(tracked, LeakKind.CLOSE_WAIT, clock.nanoTime(), TrackedSocket.NEVER);
        assertTrue(leak.hasCreation());
        assertEquals(representative.id, leak.allocationFrom());

        // A socket without a captured creation does not replace a stand-in that has one.
        clock.advance(Duration.ofSeconds(1));
        nextDraw = 0;
        TrackedSocket plain = tracker.opened(keep(), SocketType.SOCKET_CHANNEL, false, PEER);
        assertEquals(representative.id, plain.allocation.standsInFor());
    }

    /**
     * A site adapted amid a burst of Netty connects got its first stand-in from a channel whose creation was sampled
     * out: every sampled-out report named Netty (2026-12-02). Until the stand-in has a creation, creations on a thread
     * whose last channel went there are all captured, and the next one makes the stand-in.
     */
    @Test
    void creationsAreCapturedUntilTheAdaptedSitesStandInHasOne() throws Exception {
        Object before = keep();
        tracker.created(before);
        connectOnAnotherThread(tracker, before, PEER); // this thread's last channel goes to PEER, not adapted yet
        adaptPeer();
        TrackedSocket plain = tracker.opened(keep(), SocketType.SOCKET_CHANNEL, false, PEER);
        assertNull(plain.allocation.standInCreation(), "the first stand-in: a socket without a creation");

        nextDraw = 1; // sampling would say "not this one"
        clock.advance(Duration.ofMillis(10)); // and it is too soon after this thread's last capture
        Object next = keep();
        tracker.created(next);
        TrackedSocket tracked = connectOnAnotherThread(tracker, next, PEER);

        assertNotNull(tracked.creation, "captured: the stand-in had no creation");
        assertEquals(-1, tracked.allocation.standsInFor());
        TrackedSocket after = tracker.opened(keep(), SocketType.SOCKET_CHANNEL, false, PEER);
        assertEquals(tracked.id, after.allocation.standsInFor(), "the stand-in now");
        assertSame(tracked.creation, after.creation);
    }

    /**
     * A thread whose own channels go to an adapted site, between hand-offs to a site not adapted: its last channel's
     * site says "sample", but the hand-offs' creations are all kept once one hand-off has shown the other site.
     */
    @Test
    void ownConnectsToAnAdaptedSiteDoNotSampleTheHandOffsToAnotherSite() throws Exception {
        Endpoints handedOffPeer = endpoints(53000, 5432);
        Object first = keep();
        tracker.created(first);
        connectOnAnotherThread(tracker, first, handedOffPeer); // one hand-off first
        adaptPeer();
        Object own = keep();
        tracker.created(own);
        tracker.opened(own, SocketType.SOCKET_CHANNEL, false, PEER); // PEER's stand-in gets its creation

        nextDraw = 1; // sampling would say "not this one"
        List<Boolean> kept = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(1));
            Object mine = keep();
            tracker.created(mine);
            tracker.opened(mine, SocketType.SOCKET_CHANNEL, false, PEER);
            Object handedOff = keep();
            tracker.created(handedOff);
            kept.add(connectOnAnotherThread(tracker, handedOff, handedOffPeer).creation != null);
        }
        assertEquals(List.of(true, true, true), kept);
    }

    private void adaptPeer() {
        for (int i = 0; i < StackCapture.ADAPT_AFTER; i++) {
            tracker.closed(tracker.opened(keep(), SocketType.SOCKET_CHANNEL, false, PEER).get());
        }
    }

    @Test
    void onceTheSiteIsAdaptedCreationsAreSampledAtMostOnceEveryHundredMilliseconds() throws Exception {
        adaptPeer();
        Object first = keep();
        nextDraw = 1;
        tracker.created(first);
        assertNotNull(connectOnAnotherThread(tracker, first, PEER).creation,
                "until this thread's channel connects to an adapted site, every creation is captured");

        List<Boolean> captured = new ArrayList<>();
        int[] draws = {0, 1, 0, 0, 0};
        long[] advanceMillis = {50, 50, 0, 100, 0};
        for (int i = 0; i < draws.length; i++) {
            clock.advance(Duration.ofMillis(advanceMillis[i]));
            nextDraw = draws[i];
            Object channel = keep();
            tracker.created(channel);
            // Its own creation, not the stand-in's: its allocation is its own too.
            captured.add(connectOnAnotherThread(tracker, channel, PEER).allocation.standsInFor() < 0);
        }
        // +50 ms after the last capture: too soon, whatever the draw; +100 ms: a draw other than 0 is not this one,
        // a 0 is; +200 ms: captured again; the same instant once more: too soon.
        assertEquals(List.of(false, false, true, true, false), captured);
    }

    @Test
    void withStackSampleOneCreationInNIsCapturedAndItsSocketKeepsItsOwnStacks() throws Exception {
        tracker.sampleStacks(3);
        List<Boolean> captured = new ArrayList<>();
        for (int draw : new int[] {1, 0, 2}) {
            nextDraw = draw;
            Object channel = keep();
            tracker.created(channel);
            nextDraw = 1; // the allocation's own draw says "not this one"
            TrackedSocket tracked = connectOnAnotherThread(tracker, channel, PEER);
            captured.add(tracked.creation != null);
            if (tracked.creation != null) {
                assertTrue(tracked.allocation != CallSite.NOT_SAMPLED, "a captured creation brings its connect stack");
            } else {
                assertSame(CallSite.NOT_SAMPLED, tracked.allocation);
            }
        }
        assertEquals(List.of(false, true, false), captured);
    }

    @Test
    void aChannelClosedBeforeItConnectedLeavesNothingFiled() {
        Object channel = keep();
        tracker.created(channel);
        assertEquals(1, tracker.pendingCreations());
        tracker.closed(channel);
        assertEquals(0, tracker.pendingCreations());
    }

    @Test
    void anotherSocketUnderTheSameDescriptorNumberNeverTakesAStaleCreation() throws Exception {
        SocketTracker sameNumber = new SocketTracker(clock, watching -> { }, capture, socket -> 42);
        Object stale = keep();
        sameNumber.created(stale); // never connected, never closed: its number was reused
        Object socket = keep();
        assertNull(connectOnAnotherThread(sameNumber, socket, PEER).creation);
        assertEquals(0, sameNumber.pendingCreations(), "the stale entry went with the number's reuse");
    }

    @Test
    void atMostMaxPendingChannelsAreFiledAtOnce() {
        int[] numbers = {0};
        SocketTracker distinct = new SocketTracker(clock, watching -> { }, capture,
                socket -> ((Numbered) socket).number);
        for (int i = 0; i < ChannelCreations.MAX_PENDING + 10; i++) {
            distinct.created(keep(new Numbered(numbers[0]++)));
        }
        assertEquals(ChannelCreations.MAX_PENDING, distinct.pendingCreations(),
                "live channels are never purged; the ones past the cap are not filed");
    }

    private static final class Numbered {
        final int number;

        Numbered(int number) {
            this.number = number;
        }
    }

    private static void onAnotherThread(String name, Runnable task) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, name);
        thread.start();
        thread.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /** Connects {@code socket} on a thread of its own (an event loop), as a client to {@code peer}. */
    private static TrackedSocket connectOnAnotherThread(SocketTracker tracker, Object socket, Endpoints peer)
            throws InterruptedException {
        AtomicReference<TrackedSocket> tracked = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread loop = new Thread(() -> {
            try {
                tracked.set(tracker.opened(socket, SocketType.SOCKET_CHANNEL, false, peer));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "event-loop");
        loop.start();
        loop.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        return tracked.get();
    }

    private static boolean mentions(CallSite site, String method) {
        for (StackTraceElement frame : site.getStackTrace()) {
            if (frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    private Object keep() {
        return keep(new Object());
    }

    private Object keep(Object socket) {
        alive.add(socket);
        return socket;
    }

    private static Endpoints endpoints(int localPort, int remotePort) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return new Endpoints(10, new InetSocketAddress(loopback, localPort), new InetSocketAddress(loopback, remotePort));
    }
}
