package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which sockets get their stacks captured: stack-sample at random, and adaptive capture per site. */
class StackCaptureTest {

    private static final Endpoints SERVER = endpoints(8080, 51000);
    private static final Endpoints CLIENT = endpoints(51000, 8080);

    private final FakeClock clock = new FakeClock(Harness.START_NANOS);
    private final List<Object> alive = new ArrayList<>();

    /**
     * Client and accepted sockets alternate (each connection in one JVM opens one of each): an {@code id % 2} rule
     * recorded every accepted socket's stack and no client's. Random sampling records about half of each.
     */
    @Test
    void stackSampleIsUnbiasedByRole() {
        SocketTracker tracker = tracker(new StackCapture(seeded(42)));
        tracker.sampleStacks(2);
        int connections = 20_000;
        int[] sampled = new int[2];
        for (int i = 0; i < connections; i++) {
            for (int accepted = 0; accepted < 2; accepted++) {
                TrackedSocket socket = tracker.opened(keep(), SocketType.SOCKET, accepted == 1,
                        accepted == 1 ? SERVER : CLIENT);
                if (socket.allocation != CallSite.NOT_SAMPLED) {
                    sampled[accepted]++;
                }
            }
        }
        // Binomial(20,000, 1/2): standard deviation about 71; 5 of them either side.
        for (int role = 0; role < 2; role++) {
            assertTrue(Math.abs(sampled[role] - connections / 2) < 355, (role == 1 ? "accepted " : "client ")
                    + sampled[role] + " of " + connections);
        }
    }

    @Test
    void stackSampleDrawsFromTheRandomSourceNotTheId() {
        int[] draws = {0};
        StackCapture capture = new StackCapture(bound -> draws[0]++ % bound == 1 ? 0 : 1);
        SocketTracker tracker = tracker(capture);
        tracker.sampleStacks(3);
        List<Boolean> recorded = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            recorded.add(tracker.opened(keep(), SocketType.SOCKET, true, SERVER).allocation != CallSite.NOT_SAMPLED);
        }
        assertEquals(List.of(false, true, false, false, true, false), recorded);
    }

    @Test
    void capturesEverySocketOfASiteUntilEnoughClosedInTime() {
        SocketTracker tracker = tracker(new StackCapture(seeded(1)));
        for (int i = 0; i < StackCapture.ADAPT_AFTER - 1; i++) {
            TrackedSocket socket = open(tracker, SERVER);
            assertEquals(-1, socket.allocation.standsInFor(), "own stack while the site is new");
            tracker.closed(socket.get());
        }
        TrackedSocket last = open(tracker, SERVER);
        assertEquals(-1, last.allocation.standsInFor());
        tracker.closed(last.get());
        int own = 0;
        int standIns = 0;
        for (int i = 0; i < 6_400; i++) {
            clock.advanceNanos(StackCapture.MIN_REFRESH_NANOS); // sockets far enough apart for the 1-in-64 rule alone
            TrackedSocket socket = open(tracker, SERVER);
            if (socket.allocation.standsInFor() < 0) {
                own++;
            } else {
                standIns++;
                assertTrue(socket.allocation.getStackTrace().length > 0, "a stand-in carries real frames");
            }
            tracker.closed(socket.get());
        }
        // One in ADAPTIVE_EVERY (64) at random: about 100 of 6,400, standard deviation about 10.
        assertTrue(own > 50 && own < 150, own + " own stacks of 6,400");
        assertEquals(6_400, own + standIns);
    }

    @Test
    void anAdaptedSiteIsCapturedAtMostOnceEveryHundredMilliseconds() {
        SocketTracker tracker = tracker(new StackCapture(seeded(4)));
        adapt(tracker, SERVER);
        int own = 0;
        for (int i = 0; i < 6_400; i++) { // all at one instant: only the first has a stack of its own
            TrackedSocket socket = open(tracker, SERVER);
            own += socket.allocation.standsInFor() < 0 ? 1 : 0;
            tracker.closed(socket.get());
        }
        assertEquals(1, own, "the site's first stand-in, then none within 100 ms");
        clock.advanceNanos(StackCapture.MIN_REFRESH_NANOS - 1);
        for (int i = 0; i < 6_400; i++) {
            own += open(tracker, SERVER).allocation.standsInFor() < 0 ? 1 : 0;
        }
        assertEquals(1, own, "1 ns short of 100 ms");
        clock.advanceNanos(1);
        for (int i = 0; i < 6_400; i++) {
            own += open(tracker, SERVER).allocation.standsInFor() < 0 ? 1 : 0;
        }
        assertEquals(2, own, "one more, at random among the next sockets, then none again");
    }

    @Test
    void aSiteIsItsRoleAddressAndPortWhicheverObjectsCarryThem() throws Exception {
        StackCapture capture = new StackCapture(seeded(3));
        InetAddress v6 = InetAddress.getByName("::1");
        StackCapture.Site client = capture.siteOf(false, remote(Harness.address(10, 0, 0, 7, 8080)));

        assertSame(client, capture.siteOf(false, remote(Harness.address(10, 0, 0, 7, 8080))), "an equal address");
        assertNotSame(client, capture.siteOf(false, remote(Harness.address(10, 0, 0, 7, 8081))), "another port");
        assertNotSame(client, capture.siteOf(false, remote(Harness.address(10, 0, 0, 8, 8080))), "another host");
        assertNotSame(client, capture.siteOf(true, new Endpoints(7, Harness.address(10, 0, 0, 7, 8080), null)),
                "accepted on that address");
        StackCapture.Site loopback6 = capture.siteOf(false, remote(new InetSocketAddress(v6, 8080)));
        assertSame(loopback6, capture.siteOf(false, remote(new InetSocketAddress(InetAddress.getByName("::1"),
                8080))));
        assertNotSame(loopback6, capture.siteOf(false, remote(new InetSocketAddress(InetAddress.getByName("::2"),
                8080))));
        assertNotSame(loopback6, capture.siteOf(false, remote(Harness.address(0, 0, 0, 0, 8080))),
                "0.0.0.0 is not an IPv6 address");
        assertEquals(7, capture.sites());
        assertNull(capture.siteOf(false, remote(InetSocketAddress.createUnresolved("db.example", 5432))),
                "an unresolved address is no connected socket's");
    }

    private static Endpoints remote(InetSocketAddress remote) {
        return new Endpoints(7, Harness.address(127, 0, 0, 1, 40000), remote);
    }

    @Test
    void otherSitesAndRolesAreCountedApart() {
        SocketTracker tracker = tracker(new StackCapture(seeded(2)));
        adapt(tracker, SERVER);
        assertTrue(open(tracker, endpoints(9090, 51000), true).allocation.standsInFor() < 0, "another port");
        assertTrue(open(tracker, CLIENT, false).allocation.standsInFor() < 0, "a client socket");
    }

    @Test
    void aLeakReportedFromAnAdaptedSiteNamesTheSocketWhoseStackStandsInAndTheSiteGoesBackToEverySocket() {
        Harness harness = new Harness(Duration.ofSeconds(1));
        adapt(harness.tracker, Harness.ENDPOINTS);
        TrackedSocket standIn;
        do {
            standIn = open(harness.tracker, Harness.ENDPOINTS);
        } while (standIn.allocation.standsInFor() < 0);
        harness.keep(standIn.get());
        harness.tracker.endOfStream(standIn.get());
        assertSame(CallSite.NOT_SAMPLED, standIn.endOfStream.site(), "no EOF stack either: most sockets read EOF");
        harness.clock.advance(Duration.ofSeconds(2));
        harness.detector.scan();

        assertEquals(1, harness.listener.leaks.size());
        Leak leak = harness.listener.leaks.get(0);
        assertTrue(leak.allocationKnown());
        assertTrue(leak.allocationFrom() > 0 && leak.allocationFrom() < leak.id(), "an earlier socket's stack");
        assertFalse(leak.stacksSampledOut());
        for (int i = 0; i < 200; i++) {
            TrackedSocket after = open(harness.tracker, Harness.ENDPOINTS);
            assertEquals(-1, after.allocation.standsInFor(), "every socket captured again after a leak");
            assertNotSame(CallSite.NOT_SAMPLED, after.allocation);
        }
    }

    @Test
    void adaptiveCaptureCanBeTurnedOff() {
        SocketTracker tracker = tracker(new StackCapture(seeded(3)));
        tracker.adaptiveStacks(false);
        adapt(tracker, SERVER);
        for (int i = 0; i < 200; i++) {
            assertEquals(-1, open(tracker, SERVER).allocation.standsInFor());
        }
    }

    private void adapt(SocketTracker tracker, Endpoints endpoints) {
        for (int i = 0; i < StackCapture.ADAPT_AFTER; i++) {
            tracker.closed(open(tracker, endpoints).get());
        }
    }

    private TrackedSocket open(SocketTracker tracker, Endpoints endpoints) {
        return open(tracker, endpoints, true);
    }

    private TrackedSocket open(SocketTracker tracker, Endpoints endpoints, boolean accepted) {
        return tracker.opened(keep(), SocketType.SOCKET, accepted, endpoints);
    }

    private SocketTracker tracker(StackCapture capture) {
        return new SocketTracker(clock, watching -> { }, capture);
    }

    private Object keep() {
        Object socket = new Object();
        alive.add(socket);
        return socket;
    }

    private static StackCapture.Random seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return random::nextInt;
    }

    private static Endpoints endpoints(int localPort, int remotePort) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return new Endpoints(10, new InetSocketAddress(loopback, localPort), new InetSocketAddress(loopback, remotePort));
    }
}
