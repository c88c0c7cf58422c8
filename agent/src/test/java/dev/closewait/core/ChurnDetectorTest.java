package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChurnDetectorTest {

    private static final long THRESHOLD = 10;
    private static final int PORTS = 28_232;
    private static final InetSocketAddress LOCAL = Harness.address(127, 0, 0, 1, 40000);
    private static final InetSocketAddress SERVICE = Harness.address(10, 0, 0, 7, 8080);
    private static final InetSocketAddress OTHER_SERVICE = Harness.address(10, 0, 0, 8, 443);

    private final FakeClock clock = new FakeClock(Harness.START_NANOS);
    /**
     * Stack sampling draws at random; this source never draws 0, so {@code stack-sample=N} (N > 1) samples no socket
     * and adaptive capture never refreshes a stand-in: every socket's stack here is captured or none is, by the test.
     */
    private final SocketTracker tracker = new SocketTracker(clock, watching -> { },
            new StackCapture(bound -> bound - 1));
    private final List<String> warnings = new ArrayList<>();
    private final List<Churn> reports = new ArrayList<>();
    /** What the fake site lookup answers for each allocation stack: the test names them. */
    private final Map<Throwable, String> siteNames = new HashMap<>();
    private int lookups;
    private final ChurnDetector churn = new ChurnDetector(clock, THRESHOLD, PORTS, stack -> {
        lookups++;
        return siteNames.get(stack);
    }, ChurnListener.to(reports::add), new AgentErrors(warnings::add));

    ChurnDetectorTest() {
        tracker.observeCloses(churn);
    }

    @Test
    void reportsADestinationOnceItsActiveClosesInOneMinuteExceedTheThreshold() {
        closeFirst(SERVICE, "com.acme.Client.call", 10);
        churn.scan();
        assertEquals(List.of(), reports, "10 closes do not exceed churn-warn 10");

        closeFirst(SERVICE, "com.acme.Client.call", 1);
        churn.scan();
        assertEquals(1, reports.size());
        Churn report = reports.get(0);
        assertEquals(SERVICE, report.remote());
        assertEquals(11, report.closes());
        assertEquals(60, report.windowSeconds());
        assertEquals(PORTS, report.portRange());
        assertEquals(THRESHOLD, report.threshold());
        assertEquals(11.0 / PORTS, report.portRangeShare(), 1e-12);
        assertEquals("com.acme.Client.call", report.site());
        assertEquals(11, report.siteCloses());
        assertTrue(siteNames.containsKey(report.stack()), "the stack is one of the site's allocation stacks");
        assertEquals(clock.nanoTime(), report.detectedNanos());
        assertEquals(FakeClock.BASE_EPOCH_MILLIS + clock.nanoTime() / 1_000_000L, report.detectedEpochMillis());
    }

    @Test
    void countsTheClosesMadeBeforeItWasStartedAndReportsOnlyOnceStarted() {
        ChurnDetector early = new ChurnDetector(clock); // created before main; options still being read
        tracker.observeCloses(early);
        closeFirst(SERVICE, "com.acme.Client.call", 11);
        early.scan();
        assertEquals(List.of(), reports, "nothing is reported before start");
        assertEquals(-1, early.threshold());

        early.start(THRESHOLD, PORTS, siteNames::get, ChurnListener.to(reports::add), new AgentErrors(warnings::add));
        early.scan();

        assertEquals(1, reports.size());
        assertEquals(11, reports.get(0).closes(), "every close since it was created counts");
        assertEquals(11, early.applicationCloses());
    }

    @Test
    void reportsAgainOnlyAfterAWholeWindow() {
        closeFirst(SERVICE, "com.acme.Client.call", 11);
        churn.scan();
        clock.advance(Duration.ofSeconds(30));
        closeFirst(SERVICE, "com.acme.Client.call", 11);
        churn.scan();
        clock.advance(Duration.ofSeconds(30).minusNanos(1));
        churn.scan();
        assertEquals(1, reports.size(), "once per destination and window");

        clock.advanceNanos(1);
        churn.scan();
        assertEquals(2, reports.size());
        assertEquals(11, reports.get(1).closes(), "the first 11 closes have left the window");
    }

    @Test
    void closesAfterThePeersFinAreThePeersAndNeverCount() {
        for (int i = 0; i < 20; i++) {
            Object socket = open(SERVICE, false);
            tracker.endOfStream(socket);
            tracker.closed(socket);
        }
        churn.scan();
        assertEquals(List.of(), reports);
        assertEquals(20, churn.peerCloses());
        assertEquals(0, churn.applicationCloses());
        assertEquals(0, churn.timeWaitEstimate());
    }

    @Test
    void acceptedConnectionsClosedFirstCountAsTimeWaitButNeverAsChurn() {
        for (int i = 0; i < 20; i++) {
            tracker.closed(open(SERVICE, true));
        }
        churn.scan();
        assertEquals(List.of(), reports);
        assertEquals(20, churn.applicationCloses());
        assertEquals(20, churn.timeWaitEstimate());
        assertEquals(0, churn.destinations());
    }

    @Test
    void socketsNeverConnectedAreNoConnectionsAtAll() {
        for (int i = 0; i < 20; i++) {
            Object socket = new Object();
            tracker.opened(socket, SocketType.SOCKET_CHANNEL, false, new Endpoints(5, null, null));
            tracker.closed(socket);
        }
        churn.scan();
        assertEquals(List.of(), reports);
        assertEquals(0, churn.applicationCloses() + churn.peerCloses());
    }

    @Test
    void theAgentsOwnSocketsNeverCount() {
        for (int i = 0; i < 20; i++) {
            Object socket = new Object();
            tracker.agentOwned(socket, SocketType.SOCKET, new Endpoints(5, LOCAL, SERVICE));
            tracker.closed(socket);
        }
        assertEquals(0, churn.applicationCloses());
    }

    @Test
    void timeWaitEstimateIsTheActiveClosesOfTheLastMinute() {
        closeFirst(SERVICE, "a.A.a", 3);
        churn.scan(); // the detector's scan, every second, times the closes since the last one
        clock.advance(Duration.ofSeconds(30));
        closeFirst(OTHER_SERVICE, "a.A.a", 4);
        assertEquals(7, churn.timeWaitEstimate());
        clock.advance(Duration.ofSeconds(30));
        assertEquals(4, churn.timeWaitEstimate());
        assertEquals(7, churn.applicationCloses(), "the counter never goes down");
    }

    @Test
    void theClosingThreadReadsNoClockAndTheNextScanTimesItsCloses() {
        int[] reads = new int[1];
        Clock counting = new Clock() {
            @Override
            public long nanoTime() {
                reads[0]++;
                return clock.nanoTime();
            }

            @Override
            public long epochMillis(long nanoTime) {
                return clock.epochMillis(nanoTime);
            }
        };
        ChurnDetector counted = new ChurnDetector(counting, THRESHOLD, PORTS, siteNames::get,
                ChurnListener.to(reports::add), new AgentErrors(warnings::add));
        SocketTracker closing = new SocketTracker(clock, watching -> { });
        closing.observeCloses(counted);
        Object first = new Object();
        closing.opened(first, SocketType.SOCKET, false, new Endpoints(5, LOCAL, SERVICE));
        closing.closed(first); // creates the destination
        int before = reads[0];
        for (int i = 0; i < 20; i++) {
            Object socket = new Object();
            closing.opened(socket, SocketType.SOCKET, false, new Endpoints(5, LOCAL, SERVICE));
            closing.closed(socket);
        }
        assertEquals(before, reads[0], "no clock read while closing");

        clock.advance(Duration.ofSeconds(59)); // the closes were made at the start, counted by this scan
        counted.scan();
        assertEquals(1, reports.size());
        assertEquals(21, reports.get(0).closes());
        clock.advance(Duration.ofSeconds(50));
        assertEquals(21, counted.timeWaitEstimate(), "timed to the scan, 50 s ago: still in the window");
    }

    @Test
    void namesTheSiteThatClosedMostAndCountsEachSiteApart() {
        closeFirst(SERVICE, "com.acme.Orders.fetch", 8);
        churn.scan();
        closeFirst(SERVICE, "com.acme.Prices.fetch", 5);
        churn.scan();
        assertEquals(1, reports.size());
        assertEquals(13, reports.get(0).closes());
        assertEquals("com.acme.Orders.fetch", reports.get(0).site());
        assertEquals(8, reports.get(0).siteCloses());
        assertEquals("com.acme.Orders.fetch", siteNames.get(reports.get(0).stack()));
    }

    @Test
    void destinationsAreCountedApart() {
        closeFirst(SERVICE, "a.A.a", 6);
        closeFirst(OTHER_SERVICE, "a.A.a", 6);
        churn.scan();
        assertEquals(List.of(), reports);
    }

    @Test
    void withoutRecordedStacksTheSiteIsUnknown() {
        tracker.sampleStacks(1000); // the random source above never draws the one in 1,000: no stack is recorded
        for (int i = 0; i < 11; i++) {
            tracker.closed(open(SERVICE, false));
        }
        churn.scan();
        assertEquals(1, reports.size());
        assertNull(reports.get(0).site());
        assertNull(reports.get(0).stack());
        assertEquals(0, lookups);
    }

    @Test
    void looksUpAtMostOneStackPerDestinationAndScan() {
        closeFirst(SERVICE, "a.A.a", 11);
        churn.scan();
        churn.scan();
        assertEquals(1, lookups, "the last stack only, and only once");
    }

    @Test
    void followsAtMostAFixedNumberOfDestinationsAndForgetsQuietOnes() {
        for (int port = 1; port <= ChurnDetector.MAX_DESTINATIONS + 5; port++) {
            closeFirst(Harness.address(10, 0, 1, 1, port), "a.A.a", 1);
        }
        assertEquals(ChurnDetector.MAX_DESTINATIONS, churn.destinations());
        assertEquals(5, churn.unfollowedCloses());
        assertEquals(ChurnDetector.MAX_DESTINATIONS + 5, churn.applicationCloses());
        churn.scan(); // the detector's scan, every second, times the closes since the last one

        clock.advance(Duration.ofSeconds(60));
        churn.scan();
        assertEquals(0, churn.destinations(), "a whole window without closes");
        closeFirst(SERVICE, "a.A.a", 1);
        assertEquals(1, churn.destinations());
    }

    @Test
    void aForgottenDestinationIsFollowedAgainWhenItsSitesConnectionsCloseAgain() {
        // Client sockets to one destination share an adaptive-capture site, which remembers the destination's
        // counters (ChurnDetector.closed): forgetting the destination must not leave the site counting into them.
        closeFirst(SERVICE, "a.A.a", 1);
        churn.scan();
        clock.advance(Duration.ofSeconds(60));
        churn.scan();
        assertEquals(0, churn.destinations());

        closeFirst(SERVICE, "a.A.a", 11);
        churn.scan();

        assertEquals(1, churn.destinations());
        assertEquals(1, reports.size(), "11 closes within the window, over the threshold of 10");
        assertEquals(11, reports.get(0).closes());
    }

    @Test
    void aReportedDestinationIsKeptForItsWindowSoItIsNotReportedTwice() {
        closeFirst(SERVICE, "a.A.a", 11);
        churn.scan();
        clock.advance(Duration.ofSeconds(59));
        churn.scan(); // the closes have left the window, but the report has not
        closeFirst(SERVICE, "a.A.a", 11);
        churn.scan();
        assertEquals(1, reports.size());
    }

    @Test
    void aFailingListenerIsRecordedAndScansGoOn() {
        ChurnDetector failing = new ChurnDetector(clock, 1, PORTS, stack -> null, ChurnListener.to(report -> {
            throw new IllegalStateException("sink down");
        }), new AgentErrors(warnings::add));
        tracker.observeCloses(failing);
        closeFirst(SERVICE, "a.A.a", 2);
        failing.scan();
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("churn report"), warnings.get(0));
    }

    /** {@code count} client connections to {@code remote}, opened at {@code site}, closed by the application. */
    /**
     * Netty's Bootstrap: this thread creates each channel, an event loop connects it, so the connect stacks are
     * Netty's alone. The closes are credited to where the channels were created.
     */
    @Test
    void creditsTheClosesOfChannelsALibraryConnectedToWhereTheyWereCreated() throws Exception {
        List<Object> sockets = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            Object channel = new Object();
            sockets.add(channel);
            tracker.created(channel);
            Thread loop = new Thread(() -> tracker.opened(channel, SocketType.SOCKET_CHANNEL, false,
                    new Endpoints(9, LOCAL, SERVICE)), "event-loop");
            loop.start();
            loop.join(10_000);
            TrackedSocket tracked = tracker.find(channel);
            siteNames.put(tracked.allocation, "io.netty.util.internal.SocketUtils$3.run");
            siteNames.put(tracked.creation.site(), "com.acme.Cache.open");
        }
        for (Object channel : sockets) {
            tracker.closed(channel);
        }
        churn.scan();

        assertEquals(1, reports.size());
        assertEquals("com.acme.Cache.open", reports.get(0).site());
        assertEquals(11, reports.get(0).siteCloses());
    }

    private void closeFirst(InetSocketAddress remote, String site, int count) {
        for (int i = 0; i < count; i++) {
            Object socket = open(remote, false);
            CallSite stack = tracker.find(socket).allocation;
            siteNames.put(stack, site);
            tracker.closed(socket);
        }
    }

    private Object open(InetSocketAddress remote, boolean accepted) {
        Object socket = new Object();
        tracker.opened(socket, SocketType.SOCKET, accepted, new Endpoints(9, LOCAL, remote));
        return socket;
    }
}
