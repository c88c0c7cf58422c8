package dev.closewait.report;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.TcpState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.closewait.report.Leaks.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportDispatcherTest {

    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(20);

    /** Keeps what it is given. */
    private static class RecordingSink implements LeakListener {
        final List<Leak> leaks = new CopyOnWriteArrayList<>();
        final List<LeakOutcome> outcomes = new CopyOnWriteArrayList<>();
        final List<Map<TcpState, Integer>> summaries = new CopyOnWriteArrayList<>();

        @Override
        public void socketStates(Map<TcpState, Integer> countsByState) {
            summaries.add(countsByState);
        }

        @Override
        public void leakDetected(Leak leak) {
            leaks.add(leak);
        }

        @Override
        public void leakResolved(LeakOutcome outcome) {
            outcomes.add(outcome);
        }
    }

    /** A sink whose disk is full. */
    private static final class BrokenSink implements LeakListener {
        volatile int calls;

        @Override
        public void leakDetected(Leak leak) {
            calls++;
            throw new IllegalStateException("disk full");
        }

        @Override
        public void leakResolved(LeakOutcome outcome) {
            calls++;
            throw new IllegalStateException("disk full");
        }
    }

    /** A log whose appender hangs on its first event, until released. */
    private static final class StuckSink extends RecordingSink {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void leakDetected(Leak leak) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.leakDetected(leak);
        }
    }

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final RecordingSink sink = new RecordingSink();

    private static Leak allocatedIn(String className) {
        return Leaks.eofNotClosed().allocatedAt(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 1),
                frame("java.net.Socket", "connect", "Socket.java", 633),
                frame(className, "call", "X.java", 10),
                frame("launcher.Main", "main", "Main.java", 5)).eofAt(
                frame("java.net.Socket$SocketInputStream", "read", "Socket.java", 966),
                frame(className, "read", "X.java", 20)).build();
    }

    private ReportDispatcher dispatcher(List<String> include, List<String> exclude) {
        return new ReportDispatcher(List.of(new ReportDispatcher.Sink("recording", sink)), include, exclude,
                warnings::add);
    }

    @Test
    void reportsEverythingWithoutFilters() {
        ReportDispatcher dispatcher = dispatcher(List.of(), List.of());
        Leak leak = allocatedIn("org.example.Client");
        LeakOutcome outcome = Leaks.outcome(leak, LeakOutcome.Kind.CLOSED, 10);

        dispatcher.leakDetected(leak);
        dispatcher.leakResolved(outcome);

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(leak), sink.leaks);
        assertEquals(List.of(outcome), sink.outcomes);
    }

    @Test
    void reportsOnlyLeaksAllocatedUnderAnIncludedPrefix() {
        ReportDispatcher dispatcher = dispatcher(List.of("com.acme.db.", "org.example.Client"), List.of());
        Leak db = allocatedIn("com.acme.db.Pool");
        Leak client = allocatedIn("org.example.Client");
        Leak web = allocatedIn("com.acme.web.Handler");

        dispatcher.leakDetected(db);
        dispatcher.leakDetected(client);
        dispatcher.leakDetected(web);
        dispatcher.leakResolved(Leaks.outcome(web, LeakOutcome.Kind.CLOSED, 1));
        dispatcher.leakResolved(Leaks.outcome(db, LeakOutcome.Kind.COLLECTED, 1));

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(db, client), sink.leaks);
        assertEquals(1, sink.outcomes.size(), "outcomes follow the same filter");
        assertSame(db, sink.outcomes.get(0).leak());
    }

    /** An accepted socket: opened in the server library, used by the application's handler. */
    private static Leak acceptedInLibraryUsedIn(String handlerClass) {
        return Leaks.eofNotClosed().allocatedAt(
                frame("java.net.ServerSocket", "accept", "ServerSocket.java", 500),
                frame("io.netty.channel.Acceptor", "run", "Acceptor.java", 10)).eofAt(
                frame("java.net.Socket$SocketInputStream", "read", "Socket.java", 966),
                frame("io.netty.channel.Loop", "run", "Loop.java", 31)).lastUsedAt(
                frame("java.net.Socket$SocketOutputStream", "write", "Socket.java", 1000),
                frame(handlerClass, "handle", "Handler.java", 20),
                frame("io.netty.channel.Loop", "run", "Loop.java", 30)).build();
    }

    @Test
    void includeMatchesTheLastUseAndEofStacksTooNotOnlyWhereTheLibraryOpenedTheSocket() {
        ReportDispatcher dispatcher = dispatcher(List.of("com.acme."), List.of());
        Leak handler = acceptedInLibraryUsedIn("com.acme.web.Handler");
        Leak other = acceptedInLibraryUsedIn("org.other.Handler");

        dispatcher.leakDetected(handler);
        dispatcher.leakDetected(other);

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(handler), sink.leaks);
    }

    @Test
    void excludeMatchesWhereTheSocketWasOpenedOnly() {
        ReportDispatcher dispatcher = dispatcher(List.of(), List.of("com.acme."));
        Leak usedByAcme = acceptedInLibraryUsedIn("com.acme.web.Handler");
        Leak openedByAcme = allocatedIn("com.acme.db.Pool");

        dispatcher.leakDetected(usedByAcme);
        dispatcher.leakDetected(openedByAcme);

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(usedByAcme), sink.leaks);
    }

    /** Netty's Bootstrap: the application created the channel, the event loop connected it. */
    @Test
    void bothFiltersMatchWhereALibraryConnectedChannelWasCreated() {
        Leak created = Leaks.eofNotClosed().client().allocatedAt(SitesTest.NETTY_CONNECT).eofAt(SitesTest.NETTY_EOF)
                .createdAt(SitesTest.NETTY_CREATE).build();
        ReportDispatcher including = dispatcher(List.of("com.acme.cache."), List.of());
        including.leakDetected(created);
        assertTrue(including.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(created), sink.leaks, "include finds com.acme.cache where the channel was created");

        sink.leaks.clear();
        ReportDispatcher excluding = dispatcher(List.of(), List.of("com.acme.cache."));
        excluding.leakDetected(created);
        assertTrue(excluding.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(), sink.leaks, "the code that asked for the channel opened it: excluded");
    }

    @Test
    void aLeakWhoseStacksWereSampledOutIsReportedWhateverTheFiltersButOneNeverSeenOpenedIsNotIncluded() {
        Leak sampledOut = Leaks.eofNotClosed().sampledOut().build();
        Leak unknown = Leaks.allocationUnknown().build();
        ReportDispatcher including = dispatcher(List.of("com.acme."), List.of());
        including.leakDetected(sampledOut);
        including.leakDetected(unknown);
        assertTrue(including.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(sampledOut), sink.leaks, "sampling must never hide a leak");

        sink.leaks.clear();
        ReportDispatcher excluding = dispatcher(List.of(), List.of("com.acme."));
        excluding.leakDetected(sampledOut);
        excluding.leakDetected(unknown);
        assertTrue(excluding.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(sampledOut, unknown), sink.leaks);
    }

    @Test
    void passesTheSummaryLineOnOnlyAfterALeakThatPassedTheFilters() {
        ReportDispatcher dispatcher = dispatcher(List.of("com.acme."), List.of());
        Map<TcpState, Integer> counts = Map.of(TcpState.CLOSE_WAIT, 1, TcpState.LISTEN, 1);

        dispatcher.leakDetected(allocatedIn("org.example.Client")); // filtered out
        dispatcher.socketStates(counts);
        dispatcher.leakDetected(allocatedIn("com.acme.Pool"));
        dispatcher.socketStates(counts);
        dispatcher.socketStates(counts); // nothing new since

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(counts), sink.summaries);
    }

    @Test
    void dropsLeaksAllocatedUnderAnExcludedPrefix() {
        ReportDispatcher dispatcher = dispatcher(List.of(), List.of("com.acme.test."));
        Leak test = allocatedIn("com.acme.test.Fixture");
        Leak app = allocatedIn("com.acme.app.Service");

        dispatcher.leakDetected(test);
        dispatcher.leakDetected(app);
        dispatcher.leakResolved(Leaks.outcome(test, LeakOutcome.Kind.CLOSED, 1));

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(app), sink.leaks);
        assertEquals(List.of(), sink.outcomes);
    }

    @Test
    void letsExcludeWinOverInclude() {
        ReportDispatcher dispatcher = dispatcher(List.of("com.acme."), List.of("com.acme.test."));
        Leak test = allocatedIn("com.acme.test.Fixture");
        Leak app = allocatedIn("com.acme.app.Service");
        Leak other = allocatedIn("org.other.Thing");

        dispatcher.leakDetected(test);
        dispatcher.leakDetected(app);
        dispatcher.leakDetected(other);

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(app), sink.leaks);
    }

    @Test
    void keepsReportingToTheOtherSinksWhenOneFails() {
        BrokenSink broken = new BrokenSink();
        RecordingSink after = new RecordingSink();
        ReportDispatcher dispatcher = new ReportDispatcher(List.of(new ReportDispatcher.Sink("first", sink),
                new ReportDispatcher.Sink("broken", broken), new ReportDispatcher.Sink("after", after)),
                List.of(), List.of(), warnings::add);
        Leak leak = Leaks.eofNotClosed().build();
        LeakOutcome outcome = Leaks.outcome(leak, LeakOutcome.Kind.CLOSED, 10);

        dispatcher.leakDetected(leak);
        dispatcher.leakResolved(outcome);
        dispatcher.leakDetected(leak);

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(List.of(leak, leak), sink.leaks);
        assertEquals(List.of(leak, leak), after.leaks, "the sink after the broken one still gets every event");
        assertEquals(List.of(outcome), after.outcomes);
        assertEquals(3, broken.calls);
        assertEquals(3, dispatcher.failures());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("internal error in report to broken"), warnings.get(0));
    }

    @Test
    void aStuckSinkNeitherBlocksTheDetectorNorDelaysOrDropsAnotherSinksEvents() throws Exception {
        StuckSink log = new StuckSink();
        RecordingSink json = new RecordingSink();
        ReportDispatcher dispatcher = new ReportDispatcher(List.of(new ReportDispatcher.Sink("log", log),
                new ReportDispatcher.Sink("json", json)), List.of(), List.of(), warnings::add, 2);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            dispatcher.leakDetected(Leaks.eofNotClosed().build());
            assertTrue(log.entered.await(20, TimeUnit.SECONDS), "the log is stuck in its first event");
            for (int i = 2; i <= 10; i++) {
                dispatcher.leakDetected(Leaks.eofNotClosed().build()); // never waits for the stuck log
                while (json.leaks.size() < i) { // paced by the JSON sink, whose queue is small too
                    Thread.sleep(1);
                }
            }
        });

        assertEquals(10, json.leaks.size(), "the JSON report has every event while the log is stuck");
        assertEquals(7, dispatcher.dropped(), "1 in the stuck call, 2 queued, 7 dropped for the log alone");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("the log report is not keeping up"), warnings.get(0));
        log.release.countDown();
        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(3, log.leaks.size(), "the log got what fit in its queue");
    }

    @Test
    void aSinkFailingAThousandTimesIsTurnedOffAloneAndTheOthersGoOn() {
        BrokenSink broken = new BrokenSink();
        ReportDispatcher dispatcher = new ReportDispatcher(List.of(new ReportDispatcher.Sink("log", broken),
                new ReportDispatcher.Sink("json", sink)), List.of(), List.of(), warnings::add);
        Leak leak = Leaks.eofNotClosed().build();
        int events = (int) AgentErrors.GIVE_UP_AFTER + 200;

        for (int i = 0; i < events; i++) {
            dispatcher.leakDetected(leak);
            if (i == AgentErrors.GIVE_UP_AFTER - 1) {
                assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
            }
        }

        assertTrue(dispatcher.drain(System.nanoTime() + DRAIN_NANOS));
        assertEquals(events, sink.leaks.size(), "the JSON report goes on");
        assertEquals(AgentErrors.GIVE_UP_AFTER, broken.calls, "the failing sink is not called after its budget");
        assertEquals(AgentErrors.GIVE_UP_AFTER, dispatcher.failures());
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(1).contains("the log report failed 1000 times and is turned off; the other reports "
                + "go on"), warnings.get(1));
        assertFalse(warnings.get(0).contains("turned itself off"), "the agent itself stays on");
    }
}
