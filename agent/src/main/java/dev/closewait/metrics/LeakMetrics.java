package dev.closewait.metrics;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakKind;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.TcpState;
import dev.closewait.report.Sites;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The agent's numbers, kept agent-side for whoever publishes them (the application's Micrometer through the
 * bootstrap bridge, the Prometheus endpoint): leaks reported and leaks still open by kind (and allocation site, up
 * to a fixed number of distinct sites), sockets tracked, the kernel's socket states, errors swallowed. Reports
 * arrive on the detector's thread; meters are read from any thread.
 */
public final class LeakMetrics implements LeakListener {

    static final String LEAKS = "closewait.leaks";
    static final String LEAKED = "closewait.sockets.leaked";
    static final String TRACKED = "closewait.sockets.tracked";
    static final String KERNEL = "closewait.kernel.sockets";
    static final String ERRORS = "closewait.agent.errors";
    /** The same counts by allocation site too, with {@code metrics-sites}: for top-k tables, not for rates. */
    static final String SITE_LEAKS = "closewait.site.leaks";
    static final String SITE_LEAKED = "closewait.site.sockets.leaked";
    static final String CLOSED = "closewait.connections.closed";
    static final String TIME_WAIT = "closewait.connections.timewait";
    /** Sites beyond the cap. */
    static final String OTHER_SITE = "other";
    /** No application frame in the allocation stack, or no stack (a socket only the kernel saw). */
    static final String UNKNOWN_SITE = "unknown";

    private final int maxSites;
    private final Runnable onNewMeters;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    // Detector thread only, from here on.
    private final Map<Series, Counts> series = new HashMap<>();
    private final Set<String> sites = new HashSet<>();
    private final Sites siteRules;
    /** Reported leaks still open, by leak id, with the series they count in (by kind, and by site). */
    private final Map<Long, List<Counts>> leakedOpen = new HashMap<>();

    /**
     * A series key. Its equals and hashCode are written out: a record's generated ones bootstrap
     * {@code ObjectMethods} through invokedynamic the first time, about 15 ms of a cold JVM (issue 16).
     */
    private record Series(LeakKind kind, String site) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Series series && series.kind == kind && Objects.equals(series.site, site);
        }

        @Override
        public int hashCode() {
            return 31 * kind.hashCode() + Objects.hashCode(site);
        }
    }

    // A meter's value is a class, not a lambda or method reference: those are linked by spinning classes and method
    // handles, and these are made during the agent's start (docs/performance.md, "Start-up CPU").

    private static final class IntValue implements DoubleSupplier {
        private final IntSupplier value;

        IntValue(IntSupplier value) {
            this.value = value;
        }

        @Override
        public double getAsDouble() {
            return value.getAsInt();
        }
    }

    private static final class LongValue implements DoubleSupplier {
        private final LongSupplier value;

        LongValue(LongSupplier value) {
            this.value = value;
        }

        @Override
        public double getAsDouble() {
            return value.getAsLong();
        }
    }

    /** A {@code LongAdder} or {@code AtomicLong}. */
    private static final class NumberValue implements DoubleSupplier {
        private final Number value;

        NumberValue(Number value) {
            this.value = value;
        }

        @Override
        public double getAsDouble() {
            return value.doubleValue();
        }
    }

    /** The sockets in one TCP state at the last kernel scan. */
    private static final class StateCount implements DoubleSupplier {
        private final Supplier<Map<TcpState, Integer>> lastCounts;
        private final TcpState state;

        StateCount(Supplier<Map<TcpState, Integer>> lastCounts, TcpState state) {
            this.lastCounts = lastCounts;
            this.state = state;
        }

        @Override
        public double getAsDouble() {
            return lastCounts.get().getOrDefault(state, 0);
        }
    }

    private static final class Counts {
        final LongAdder leaks = new LongAdder();
        final AtomicLong open = new AtomicLong();
    }

    /**
     * @param maxSites    distinct {@code site} tag values before the rest fold into {@code other}; 0 for no site tag
     * @param tracked     sockets the tracker follows
     * @param errors      errors the agent swallowed
     * @param onNewMeters told (on the detector thread) after meters were added
     */
    public LeakMetrics(int maxSites, IntSupplier tracked, LongSupplier errors, Runnable onNewMeters) {
        this(maxSites, Sites.DEFAULT, tracked, errors, onNewMeters);
    }

    /** @param siteRules which frames are the application's: the {@code site} tag is the reports' site */
    public LeakMetrics(int maxSites, Sites siteRules, IntSupplier tracked, LongSupplier errors,
                       Runnable onNewMeters) {
        this.maxSites = maxSites;
        this.siteRules = siteRules;
        this.onNewMeters = onNewMeters;
        meters.add(new Meter(TRACKED, Meter.Type.GAUGE,
                "Sockets the agent follows: opened since it started, not closed or collected yet", "sockets",
                List.of(), new IntValue(tracked)));
        meters.add(new Meter(ERRORS, Meter.Type.COUNTER,
                "Errors the agent caught and swallowed to protect the application", "errors", List.of(),
                new LongValue(errors)));
        // Every kind from the start, at zero, with or without sites: a series that appears only with its first leak
        // loses that leak to Prometheus' rate() and increase(). Sites get series of their own name, born with their
        // first leak, which only top-k tables read.
        for (LeakKind kind : LeakKind.values()) {
            counts(new Series(kind, null));
        }
    }

    /** Adds {@code closewait.kernel.sockets}, one gauge per TCP state, read from the last kernel scan. */
    public void kernelStates(Supplier<Map<TcpState, Integer>> lastCounts) {
        for (TcpState state : TcpState.values()) {
            meters.add(new Meter(KERNEL, Meter.Type.GAUGE,
                    "This process's TCP sockets by kernel state, at the last scan of /proc", "sockets",
                    List.of("state", stateTag(state)), new StateCount(lastCounts, state)));
        }
        onNewMeters.run();
    }

    /**
     * Adds {@code closewait.connections.closed} (tag {@code closer}: {@code application} when the application closed
     * first, {@code peer} when the peer did) and {@code closewait.connections.timewait}, the TIME_WAIT sockets the
     * application caused, estimated as its active closes within the last 60 s (connection churn, see
     * docs/metrics.md).
     */
    public void connections(LongSupplier closedByApplication, LongSupplier closedByPeer, LongSupplier timeWait) {
        meters.add(new Meter(CLOSED, Meter.Type.COUNTER,
                "Connections closed, by which side closed first: application (no EOF read before close) or peer",
                "connections", List.of("closer", "application"), new LongValue(closedByApplication)));
        meters.add(new Meter(CLOSED, Meter.Type.COUNTER,
                "Connections closed, by which side closed first: application (no EOF read before close) or peer",
                "connections", List.of("closer", "peer"), new LongValue(closedByPeer)));
        meters.add(new Meter(TIME_WAIT, Meter.Type.GAUGE,
                "TIME_WAIT sockets this application caused, estimated: connections it closed first in the last 60s",
                "sockets", List.of(), new LongValue(timeWait)));
        onNewMeters.run();
    }

    /** {@code close-wait}, {@code established}, …: the state's name in lower case with dashes. */
    static String stateTag(TcpState state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public List<Meter> meters() {
        return meters;
    }

    @Override
    public void leakDetected(Leak leak) {
        String site = site(leak);
        List<Counts> all = site == null ? List.of(counts(new Series(leak.kind(), null)))
                : List.of(counts(new Series(leak.kind(), null)), counts(new Series(leak.kind(), site)));
        for (Counts counts : all) {
            counts.leaks.increment();
            // A gc-not-closed leak is reported when it is collected: it is never open and reported at once.
            if (leak.kind() != LeakKind.GC_NOT_CLOSED) {
                counts.open.incrementAndGet();
            }
        }
        if (leak.kind() != LeakKind.GC_NOT_CLOSED) {
            leakedOpen.put(leak.id(), all);
        }
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        List<Counts> all = leakedOpen.remove(outcome.leak().id());
        if (all != null) {
            for (Counts counts : all) {
                counts.open.decrementAndGet();
            }
        }
    }

    private String site(Leak leak) {
        if (maxSites == 0) {
            return null;
        }
        String site = Objects.requireNonNullElse(siteRules.site(leak), UNKNOWN_SITE);
        if (sites.contains(site)) {
            return site;
        }
        if (sites.size() < maxSites) {
            sites.add(site);
            return site;
        }
        return OTHER_SITE;
    }

    private Counts counts(Series key) {
        Counts counts = series.get(key);
        if (counts != null) {
            return counts;
        }
        Counts created = new Counts();
        series.put(key, created);
        List<String> tags = new ArrayList<>(List.of("kind", key.kind().id()));
        boolean bySite = key.site() != null;
        if (bySite) {
            tags.add("site");
            tags.add(key.site());
        }
        meters.add(new Meter(bySite ? SITE_LEAKS : LEAKS, Meter.Type.COUNTER, bySite
                ? "Leaked sockets reported, by kind and site, the code the report names (the first metrics-sites sites, then other)"
                : "Leaked sockets reported, by kind: eof-not-closed, gc-not-closed, close-wait, reset-not-closed",
                "leaks", tags, new NumberValue(created.leaks)));
        if (key.kind() != LeakKind.GC_NOT_CLOSED) {
            meters.add(new Meter(bySite ? SITE_LEAKED : LEAKED, Meter.Type.GAUGE, bySite
                    ? "Sockets reported as leaked that are still open, by kind and site, the code the report names"
                    : "Sockets reported as leaked that are still open: not closed since the report, not collected",
                    "sockets", tags, new NumberValue(created.open)));
        }
        onNewMeters.run();
        return created;
    }
}
