package dev.closewait.metrics;

import dev.closewait.core.CallSite;
import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakKind;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;
import dev.closewait.core.TcpState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeakMetricsTest {

    private final AtomicInteger tracked = new AtomicInteger();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicInteger newMeters = new AtomicInteger();
    private long ids;

    private LeakMetrics metrics(int maxSites) {
        return new LeakMetrics(maxSites, tracked::get, errors::get, newMeters::incrementAndGet);
    }

    /** A leak allocated at {@code className.method}, reached through the agent's and the JDK's frames. */
    private Leak leak(LeakKind kind, String className, String method) {
        CallSite allocation = new CallSite();
        allocation.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 47),
                new StackTraceElement("java.net.Socket", "connect", "Socket.java", 633),
                new StackTraceElement(className, method, "App.java", 12),
                new StackTraceElement("java.lang.Thread", "run", "Thread.java", 840)});
        return new Leak(kind, ++ids, SocketType.SOCKET, false, Endpoints.UNKNOWN, "main", 0, 0, allocation, null, -1,
                1, 1, -1);
    }

    private Leak leak(LeakKind kind) {
        return leak(kind, "com.acme.Client", "call");
    }

    private static LeakOutcome outcome(Leak leak, LeakOutcome.Kind kind) {
        return new LeakOutcome(leak, kind, 2, 2, null);
    }

    private static double value(LeakMetrics metrics, String name, String... tags) {
        List<Meter> found = metrics.meters().stream()
                .filter(meter -> meter.name().equals(name) && meter.tags().equals(List.of(tags))).toList();
        assertEquals(1, found.size(), name + " " + List.of(tags) + " in " + metrics.meters());
        return found.get(0).read();
    }

    private static long count(LeakMetrics metrics, String name) {
        return metrics.meters().stream().filter(meter -> meter.name().equals(name)).count();
    }

    @Test
    void everyKindIsThereAtZeroFromTheStart() {
        LeakMetrics metrics = metrics(0);

        for (LeakKind kind : LeakKind.values()) {
            assertEquals(0, value(metrics, LeakMetrics.LEAKS, "kind", kind.id()));
        }
        assertEquals(3, count(metrics, LeakMetrics.LEAKED), "no leaked-open gauge for gc-not-closed");
        assertEquals(0, value(metrics, LeakMetrics.TRACKED));
        assertEquals(0, value(metrics, LeakMetrics.ERRORS));
    }

    @Test
    void countsLeaksByKind() {
        LeakMetrics metrics = metrics(0);

        metrics.leakDetected(leak(LeakKind.EOF_NOT_CLOSED));
        metrics.leakDetected(leak(LeakKind.EOF_NOT_CLOSED));
        metrics.leakDetected(leak(LeakKind.CLOSE_WAIT));

        assertEquals(2, value(metrics, LeakMetrics.LEAKS, "kind", "eof-not-closed"));
        assertEquals(1, value(metrics, LeakMetrics.LEAKS, "kind", "close-wait"));
        assertEquals(0, value(metrics, LeakMetrics.LEAKS, "kind", "reset-not-closed"));
        assertEquals(2, value(metrics, LeakMetrics.LEAKED, "kind", "eof-not-closed"));
    }

    @Test
    void leakedGaugeGoesDownWhenALeakIsClosedOrCollected() {
        LeakMetrics metrics = metrics(0);
        Leak closedLater = leak(LeakKind.EOF_NOT_CLOSED);
        Leak collectedLater = leak(LeakKind.EOF_NOT_CLOSED);
        Leak stillOpen = leak(LeakKind.EOF_NOT_CLOSED);
        metrics.leakDetected(closedLater);
        metrics.leakDetected(collectedLater);
        metrics.leakDetected(stillOpen);

        metrics.leakResolved(outcome(closedLater, LeakOutcome.Kind.CLOSED));
        metrics.leakResolved(outcome(collectedLater, LeakOutcome.Kind.COLLECTED));

        assertEquals(1, value(metrics, LeakMetrics.LEAKED, "kind", "eof-not-closed"));
        assertEquals(3, value(metrics, LeakMetrics.LEAKS, "kind", "eof-not-closed"), "the counter never goes down");
    }

    @Test
    void anOutcomeCountsOnceAndNeverForAnUnknownLeak() {
        LeakMetrics metrics = metrics(0);
        Leak leak = leak(LeakKind.RESET_NOT_CLOSED);
        metrics.leakDetected(leak);

        metrics.leakResolved(outcome(leak, LeakOutcome.Kind.CLOSED));
        metrics.leakResolved(outcome(leak, LeakOutcome.Kind.COLLECTED));
        metrics.leakResolved(outcome(leak(LeakKind.RESET_NOT_CLOSED), LeakOutcome.Kind.CLOSED));

        assertEquals(0, value(metrics, LeakMetrics.LEAKED, "kind", "reset-not-closed"));
    }

    @Test
    void collectedWithoutCloseIsCountedButNeverOpen() {
        LeakMetrics metrics = metrics(0);
        Leak leak = leak(LeakKind.GC_NOT_CLOSED);

        metrics.leakDetected(leak);
        metrics.leakResolved(outcome(leak, LeakOutcome.Kind.COLLECTED));

        assertEquals(1, value(metrics, LeakMetrics.LEAKS, "kind", "gc-not-closed"));
        assertEquals(3, count(metrics, LeakMetrics.LEAKED));
    }

    @Test
    void siteIsTheFirstApplicationFrame() {
        LeakMetrics metrics = metrics(10);

        metrics.leakDetected(leak(LeakKind.EOF_NOT_CLOSED, "com.acme.db.Pool", "lease"));

        assertEquals(1, value(metrics, LeakMetrics.SITE_LEAKS, "kind", "eof-not-closed", "site", "com.acme.db.Pool.lease(App.java:12)"));
        assertEquals(1, value(metrics, LeakMetrics.SITE_LEAKED, "kind", "eof-not-closed", "site", "com.acme.db.Pool.lease(App.java:12)"));
    }

    @Test
    void aLeakWithoutStackHasSiteUnknownAndOneOfJdkCodeOnlyIsNamedByItsJdkFrame() {
        LeakMetrics metrics = metrics(10);
        Leak kernelOnly = new Leak(LeakKind.CLOSE_WAIT, 99, SocketType.UNKNOWN, true, Endpoints.UNKNOWN, null, 0, -1,
                null, null, -1, 1, 1, 1);

        metrics.leakDetected(kernelOnly);
        metrics.leakDetected(leak(LeakKind.CLOSE_WAIT, "java.lang.Thread", "run"));

        assertEquals(1, value(metrics, LeakMetrics.SITE_LEAKS, "kind", "close-wait", "site", "unknown"));
        assertEquals(1, value(metrics, LeakMetrics.SITE_LEAKS, "kind", "close-wait", "site",
                "java.lang.Thread.run(App.java:12)"));
    }

    @Test
    void siteCapHoldsWithAThousandDistinctCallSites() {
        LeakMetrics metrics = metrics(5);
        List<Leak> leaks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Leak leak = leak(LeakKind.EOF_NOT_CLOSED, "com.acme.generated.Caller" + i, "open");
            leaks.add(leak);
            metrics.leakDetected(leak);
        }

        Set<String> sites = new HashSet<>();
        double total = 0;
        for (Meter meter : metrics.meters()) {
            if (meter.name().equals(LeakMetrics.SITE_LEAKS)) {
                sites.add(meter.tags().get(3));
                total += meter.read();
            }
        }
        assertEquals(Set.of("com.acme.generated.Caller0.open(App.java:12)", "com.acme.generated.Caller1.open(App.java:12)",
                "com.acme.generated.Caller2.open(App.java:12)", "com.acme.generated.Caller3.open(App.java:12)",
                "com.acme.generated.Caller4.open(App.java:12)", "other"), sites);
        assertEquals(1000, total, "no leak is lost to the cap");
        assertEquals(995, value(metrics, LeakMetrics.SITE_LEAKS, "kind", "eof-not-closed", "site", "other"));

        // Folded leaks leave the gauge of the series they were counted in.
        for (Leak leak : leaks) {
            metrics.leakResolved(outcome(leak, LeakOutcome.Kind.CLOSED));
        }
        assertEquals(0, value(metrics, LeakMetrics.SITE_LEAKED, "kind", "eof-not-closed", "site", "other"));
        assertEquals(0, value(metrics, LeakMetrics.SITE_LEAKED, "kind", "eof-not-closed", "site",
                "com.acme.generated.Caller0.open(App.java:12)"));
    }

    @Test
    void aSiteKnownBeforeTheCapWasReachedKeepsItsOwnSeries() {
        LeakMetrics metrics = metrics(1);
        metrics.leakDetected(leak(LeakKind.EOF_NOT_CLOSED, "com.acme.A", "open"));
        metrics.leakDetected(leak(LeakKind.EOF_NOT_CLOSED, "com.acme.B", "open"));

        metrics.leakDetected(leak(LeakKind.CLOSE_WAIT, "com.acme.A", "open"));

        assertEquals(1, value(metrics, LeakMetrics.SITE_LEAKS, "kind", "close-wait", "site", "com.acme.A.open(App.java:12)"));
        assertEquals(1, value(metrics, LeakMetrics.SITE_LEAKS, "kind", "eof-not-closed", "site", "other"));
    }

    @Test
    void newSeriesAreAnnouncedOnce() {
        LeakMetrics metrics = metrics(3);
        int before = newMeters.get();
        int metersBefore = metrics.meters().size();

        metrics.leakDetected(leak(LeakKind.EOF_NOT_CLOSED));
        metrics.leakDetected(leak(LeakKind.EOF_NOT_CLOSED));

        assertEquals(before + 1, newMeters.get());
        assertEquals(metersBefore + 2, metrics.meters().size(), "a counter and a gauge for the new site");
    }

    /**
     * Issue 14: with sites, a series born at a site's first leak hides that leak from Prometheus' increase(). The
     * series by kind exist from the start, with or without sites, and count every leak; only site series are new.
     */
    @Test
    void withSitesTheSeriesByKindExistBeforeTheFirstLeakAndCountEveryLeak() {
        LeakMetrics metrics = metrics(3);
        assertEquals(LeakKind.values().length, count(metrics, LeakMetrics.LEAKS));
        assertEquals(0, value(metrics, LeakMetrics.LEAKS, "kind", "eof-not-closed"));
        assertEquals(0, count(metrics, LeakMetrics.SITE_LEAKS));

        Leak first = leak(LeakKind.EOF_NOT_CLOSED, "com.acme.A", "open");
        metrics.leakDetected(first);
        for (int i = 0; i < 5; i++) {
            metrics.leakDetected(leak(LeakKind.EOF_NOT_CLOSED, "com.acme.B" + i, "open"));
        }

        assertEquals(6, value(metrics, LeakMetrics.LEAKS, "kind", "eof-not-closed"));
        assertEquals(6, value(metrics, LeakMetrics.LEAKED, "kind", "eof-not-closed"));
        assertEquals(1, value(metrics, LeakMetrics.SITE_LEAKS, "kind", "eof-not-closed", "site", "com.acme.A.open(App.java:12)"));
        assertEquals(3, value(metrics, LeakMetrics.SITE_LEAKS, "kind", "eof-not-closed", "site", "other"));
        metrics.leakResolved(outcome(first, LeakOutcome.Kind.CLOSED));
        assertEquals(5, value(metrics, LeakMetrics.LEAKED, "kind", "eof-not-closed"));
        assertEquals(0, value(metrics, LeakMetrics.SITE_LEAKED, "kind", "eof-not-closed", "site", "com.acme.A.open(App.java:12)"));
    }

    @Test
    void readsTrackedSocketsErrorsAndKernelStatesLive() {
        LeakMetrics metrics = metrics(0);
        Map<TcpState, Integer>[] counts = new Map[]{Map.of()};
        metrics.kernelStates(() -> counts[0]);

        tracked.set(12);
        errors.set(3);
        counts[0] = Map.of(TcpState.CLOSE_WAIT, 4, TcpState.ESTABLISHED, 9);

        assertEquals(12, value(metrics, LeakMetrics.TRACKED));
        assertEquals(3, value(metrics, LeakMetrics.ERRORS));
        assertEquals(4, value(metrics, LeakMetrics.KERNEL, "state", "close-wait"));
        assertEquals(9, value(metrics, LeakMetrics.KERNEL, "state", "established"));
        assertEquals(0, value(metrics, LeakMetrics.KERNEL, "state", "listen"));
        assertEquals(TcpState.values().length, count(metrics, LeakMetrics.KERNEL));
    }

    @Test
    void everyMeterHasADescriptionAndABaseUnit() {
        LeakMetrics metrics = metrics(0);
        metrics.kernelStates(Map::of);

        for (Meter meter : metrics.meters()) {
            assertTrue(meter.name().startsWith("closewait."), meter.name());
            assertTrue(!meter.description().isBlank(), meter.name());
            assertTrue(meter.baseUnit() != null && !meter.baseUnit().isBlank(), meter.name());
        }
    }

    @Test
    void publishesClosesByCloserAndTheTimeWaitEstimate() {
        LeakMetrics metrics = metrics(0);
        AtomicLong application = new AtomicLong(7);
        AtomicLong peer = new AtomicLong(3);
        AtomicLong timeWait = new AtomicLong(5);
        int before = newMeters.get();
        metrics.connections(application::get, peer::get, timeWait::get);
        assertEquals(before + 1, newMeters.get());
        assertEquals(7, value(metrics, LeakMetrics.CLOSED, "closer", "application"));
        assertEquals(3, value(metrics, LeakMetrics.CLOSED, "closer", "peer"));
        assertEquals(5, value(metrics, LeakMetrics.TIME_WAIT));
        application.set(8);
        assertEquals(8, value(metrics, LeakMetrics.CLOSED, "closer", "application"));
        assertTrue(metrics.meters().stream().filter(meter -> meter.name().equals(LeakMetrics.CLOSED))
                .allMatch(meter -> meter.type() == Meter.Type.COUNTER));
    }
}
