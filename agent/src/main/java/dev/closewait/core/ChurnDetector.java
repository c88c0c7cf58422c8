package dev.closewait.core;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Finds connection churn: a destination (peer address and port) to which the application opens connections and
 * closes them first, at a rate that eats into the ephemeral ports. Each such close leaves a TIME_WAIT socket for
 * 60 s, and connections to one destination share the ports of {@code ip_local_port_range}, so past that many in a
 * minute {@code connect()} fails with "Cannot assign requested address".
 *
 * <p>{@link #closed} runs on application threads inside close(): two counter updates, no clock, no stack, no
 * allocation (except the first close towards a new destination). {@link #scan} (every second, on the detector
 * thread) moves the closes counted since into the sliding windows, so a close is timed to the scan after it. Which
 * code opened the connections is worked out by {@link #scan()} on the detector thread, from the allocation stack of
 * the last close to each destination (see {@link Destination}). Accepted connections are never counted: the
 * clients' ports differ, so a server that closes first does not run out of ports this way. Memory is bounded: at
 * most {@value #MAX_DESTINATIONS} destinations, each with at most {@value Destination#MAX_SITES} sites plus one for
 * the rest.
 */
public final class ChurnDetector implements SocketTracker.CloseObserver {

    public static final int WINDOW_SECONDS = 60;
    static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;
    static final int MAX_DESTINATIONS = 256;
    /** Stacks resolved into frames per scan, at most: each costs tens of microseconds. */
    static final int MAX_SITE_LOOKUPS_PER_SCAN = 32;

    private final Clock clock;
    private final long originNanos;
    private final ConcurrentHashMap<InetSocketAddress, Destination> destinations = new ConcurrentHashMap<>();
    private final LongAdder applicationCloses = new LongAdder();
    private final LongAdder peerCloses = new LongAdder();
    private final LongAdder unfollowed = new LongAdder();
    private final ChurnWindow activeCloses;
    /** {@link #applicationCloses} already in {@link #activeCloses}; guarded by this. */
    private long activeClosesCounted;
    /** What {@link #scan} needs, set once by {@link #start}; null until then, and scans do nothing. */
    private volatile Reporting reporting;

    private record Reporting(long threshold, int portRange, Function<Throwable, String> siteOf,
                             LeakListener listener, AgentErrors errors) {
    }

    /**
     * Counts closes from now on; reports nothing until {@link #start}. The agent creates it before the application
     * runs, so that the closes made while its options are still being read (in the background) count too.
     */
    public ChurnDetector(Clock clock) {
        this.clock = clock;
        this.originNanos = clock.nanoTime();
        this.activeCloses = new ChurnWindow(originNanos, WINDOW_NANOS);
    }

    /** A detector that reports from the start: {@link #ChurnDetector(Clock)} then {@link #start}. */
    public ChurnDetector(Clock clock, long threshold, int portRange, Function<Throwable, String> siteOf,
                         LeakListener listener, AgentErrors errors) {
        this(clock);
        start(threshold, portRange, siteOf, listener, errors);
    }

    /**
     * Lets {@link #scan} report, counting every close since this detector was created.
     *
     * @param threshold  active closes to one destination within the window above which churn is reported
     * @param portRange  ephemeral ports of this host, for the report
     * @param siteOf     the site ({@code pkg.Class.method} of the first application frame) of an allocation stack,
     *                   or null when it has none
     * @param listener   told of churn, on the detector thread
     */
    public void start(long threshold, int portRange, Function<Throwable, String> siteOf, LeakListener listener,
                      AgentErrors errors) {
        reporting = new Reporting(threshold, portRange, siteOf, listener, errors);
    }

    /**
     * On application threads: a tracked socket was closed. Never throws for a socket the tracker knew. Counts only:
     * no clock read, no window update; {@link #scan} (every second) moves the new closes into the windows, so a close
     * is timed to the scan after it (issue 16: the clock read and the two windows' updates were a sixth of the
     * agent's code per connection under churn, TrackingCostBenchmark's profile).
     */
    @Override
    public void closed(TrackedSocket socket) {
        InetSocketAddress remote = socket.endpoints.remote();
        if (socket.agentOwned || remote == null) {
            return; // not the application's, or never connected: no connection, no TIME_WAIT
        }
        if (socket.endOfStream != null || socket.closeWaitSinceNanos != TrackedSocket.NEVER) {
            peerCloses.increment(); // the peer's FIN came first: the TIME_WAIT, if any, is on the peer's side
            return;
        }
        applicationCloses.increment();
        if (socket.accepted) {
            return;
        }
        StackCapture.Site site = socket.site; // a client socket's site is its destination (StackCapture.siteOf)
        Destination destination = site == null ? null : site.churnDestination;
        if (destination == null || destination.forgotten) {
            destination = destinations.get(remote);
            if (destination == null) {
                if (destinations.size() >= MAX_DESTINATIONS) {
                    unfollowed.increment();
                    return;
                }
                // Not computeIfAbsent with a lambda: linking one on the thread of the first close spins a class.
                Destination created = new Destination(remote, originNanos);
                Destination raced = destinations.putIfAbsent(remote, created);
                destination = raced != null ? raced : created;
            }
            if (site != null) {
                site.churnDestination = destination;
            }
        }
        // A channel a library connected on its own thread: where the application created it (see
        // StackCapture.Site#creation), else the connect's stack.
        CallSite created = site == null ? null : site.creation;
        destination.closed(created != null ? created : socket.allocation);
    }

    /** On the detector thread: attributes new closes to sites, reports destinations over the threshold. */
    public void scan() {
        long now = clock.nanoTime();
        countActiveCloses(now);
        Reporting reporting = this.reporting;
        if (reporting == null) {
            return;
        }
        long threshold = reporting.threshold();
        Function<Throwable, String> siteOf = reporting.siteOf();
        int lookups = 0;
        for (Destination destination : destinations.values()) {
            lookups += destination.attribute(now, siteOf, lookups < MAX_SITE_LOOKUPS_PER_SCAN);
            long closes = destination.window.sum(now);
            boolean windowSinceReport = destination.reportedNanos == TrackedSocket.NEVER
                    || now - destination.reportedNanos >= WINDOW_NANOS;
            if (closes > threshold && windowSinceReport) {
                destination.reportedNanos = now;
                report(reporting, destination, closes, now);
            } else if (closes == 0 && windowSinceReport) {
                // Quiet for a whole window: forget it. A close racing this removal may be lost (approximate).
                destination.forgotten = true; // sites that remember it look it up again
                destinations.remove(destination.remote, destination);
            }
        }
    }

    private void report(Reporting reporting, Destination destination, long closes, long now) {
        Destination.Site site = destination.topSite(now);
        Churn churn = new Churn(destination.remote, closes, WINDOW_SECONDS, reporting.portRange(),
                reporting.threshold(),
                site == null ? null : site.frame, site == null ? 0 : site.window.sum(now),
                site == null ? null : site.stack, now, clock.epochMillis(now));
        try {
            reporting.listener().churn(churn);
        } catch (Throwable t) {
            reporting.errors().record("churn report", t);
        }
    }

    /** Connections the application closed first (client and accepted), since the start. */
    public long applicationCloses() {
        return applicationCloses.sum();
    }

    /** Connections whose peer closed first (EOF read, or CLOSE_WAIT seen) before the application closed them. */
    public long peerCloses() {
        return peerCloses.sum();
    }

    /**
     * TIME_WAIT sockets the application caused, estimated: the connections it closed first within the last 60 s,
     * which is how long Linux keeps each in TIME_WAIT.
     */
    public long timeWaitEstimate() {
        long now = clock.nanoTime();
        countActiveCloses(now);
        return activeCloses.sum(now);
    }

    /** Moves the active closes counted since the last call into the window, at {@code now}. Any thread. */
    private synchronized void countActiveCloses(long now) {
        long total = applicationCloses.sum();
        long added = total - activeClosesCounted;
        if (added > 0) {
            activeCloses.add(now, (int) Math.min(Integer.MAX_VALUE, added));
            activeClosesCounted = total;
        }
    }

    /** Active closes not counted per destination because {@value #MAX_DESTINATIONS} were followed already. */
    long unfollowedCloses() {
        return unfollowed.sum();
    }

    int destinations() {
        return destinations.size();
    }

    /** The threshold {@link #start} was given; -1 before. */
    public long threshold() {
        Reporting current = reporting;
        return current == null ? -1 : current.threshold();
    }

    /**
     * One destination's active closes. Application threads count into {@link #total} and leave the allocation stack
     * of the last close in {@link #lastStack}; the detector thread adds the closes since its last scan to
     * {@link #window} and attributes them to that stack's site: approximate when several sites close connections to
     * one destination within one scan interval, exact when one does.
     */
    static final class Destination {
        static final int MAX_SITES = 4;

        final InetSocketAddress remote;
        final ChurnWindow window;
        final AtomicLong total = new AtomicLong();
        volatile CallSite lastStack;
        /** Taken off the followed destinations (quiet for a window): a site that remembers it must look again. */
        volatile boolean forgotten;
        // Detector thread only, from here on.
        long seenTotal;
        long reportedNanos = TrackedSocket.NEVER;
        private final long originNanos;
        private final Site[] sites = new Site[MAX_SITES];
        private Site other;
        private CallSite resolvedStack;
        private String resolvedFrame;

        Destination(InetSocketAddress remote, long originNanos) {
            this.remote = remote;
            this.originNanos = originNanos;
            this.window = new ChurnWindow(originNanos, WINDOW_NANOS);
        }

        void closed(CallSite allocation) {
            total.incrementAndGet();
            // Sockets standing in for their site share one stack: written only when it changes (a volatile write
            // per close otherwise).
            if (allocation != null && allocation != CallSite.NOT_SAMPLED && allocation != lastStack) {
                lastStack = allocation;
            }
        }

        /** Credits the closes since the last scan to a site; returns 1 if that took a stack lookup. */
        int attribute(long now, Function<Throwable, String> siteOf, boolean mayLookUp) {
            long current = total.get();
            long delta = current - seenTotal;
            seenTotal = current;
            if (delta <= 0) {
                return 0;
            }
            window.add(now, (int) Math.min(Integer.MAX_VALUE, delta));
            CallSite stack = lastStack;
            int lookups = 0;
            if (stack != null && stack != resolvedStack && mayLookUp) {
                resolvedFrame = siteOf.apply(stack);
                resolvedStack = stack;
                lookups = 1;
            }
            Site site = site(resolvedFrame, now);
            if (resolvedStack != null && site != other) {
                site.stack = resolvedStack;
            }
            site.window.add(now, (int) Math.min(Integer.MAX_VALUE, delta));
            return lookups;
        }

        /** The site with this frame (null: unknown), a new one if there is room, else the one for the rest. */
        private Site site(String frame, long now) {
            for (Site site : sites) {
                if (site != null && java.util.Objects.equals(site.frame, frame)) {
                    return site;
                }
            }
            for (int i = 0; i < sites.length; i++) {
                if (sites[i] == null || sites[i].window.sum(now) == 0) {
                    sites[i] = new Site(frame, new ChurnWindow(originNanos, WINDOW_NANOS));
                    return sites[i];
                }
            }
            if (other == null) {
                other = new Site("other", new ChurnWindow(originNanos, WINDOW_NANOS));
            }
            return other;
        }

        /** The site with the most closes in the window; null if none has any. */
        Site topSite(long now) {
            Site top = null;
            long most = 0;
            for (Site site : sites) {
                long sum = site == null ? 0 : site.window.sum(now);
                if (sum > most) {
                    top = site;
                    most = sum;
                }
            }
            return top;
        }

        static final class Site {
            final String frame;
            final ChurnWindow window;
            CallSite stack;

            Site(String frame, ChurnWindow window) {
                this.frame = frame;
                this.window = window;
            }
        }
    }
}
