package dev.closewait.core;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides, when a socket is opened, whether its stacks are captured: capturing is most of what the agent costs per
 * connection (docs/performance.md), so it is done only where a report could need it.
 *
 * <ul>
 *   <li>{@code stack-sample=N} (the option): one socket in N, at random, so that no regular pattern of the
 *   application (client and accepted sockets alternate ids, say) lines up with it. The others are reported without
 *   stacks.</li>
 *   <li>Adaptive, by default: sockets are grouped into sites by role and endpoint (accepted on a listening port,
 *   or connected to a peer address). Once a site has had {@link #ADAPT_AFTER} sockets closed in time and none
 *   reported as leaked, one of its sockets in {@link #ADAPTIVE_EVERY}, at random, has its stacks captured, but
 *   no sooner than {@link #MIN_REFRESH_NANOS} after the site's last capture; the others stand in with the last
 *   captured stack of their site, and their reports say which socket it belongs to ({@link CallSite#standsInFor()}). The moment one socket of the site is reported as leaked, every socket of it
 *   is captured again.</li>
 * </ul>
 *
 * All of it runs on application threads inside the open and close hooks: one map lookup per open, none per close;
 * counts are plain fields, a lost increment under a race only delays the switch.
 */
public final class StackCapture {

    /** Sockets of a site closed in time, none reported, before its stacks are captured for one socket in N. */
    public static final int ADAPT_AFTER = 1_000;
    /** Once adapted, one socket of the site in this many has its stacks captured. */
    public static final int ADAPTIVE_EVERY = 64;
    /**
     * Once adapted, a site's stand-in is refreshed no sooner than this after the last capture, in nanoseconds: under
     * heavy churn (tens of thousands of connections a second to one peer) one in 64 was still hundreds of stack walks a
     * second, 69 of the 473 ns the agent's code cost a connection of the churn benchmark (TrackingCostBenchmark).
     */
    public static final long MIN_REFRESH_NANOS = 100_000_000L;
    /** Past this many sites, new ones are never adapted: every socket of theirs is captured. */
    static final int MAX_SITES = 4_096;

    /** A source of random numbers: a number from 0 to {@code bound - 1}. */
    public interface Random {
        int below(int bound);
    }

    private static final Random THREAD_LOCAL_RANDOM = new Random() {
        @Override
        public int below(int bound) {
            return ThreadLocalRandom.current().nextInt(bound);
        }
    };

    private final Map<Key, Site> sites = new ConcurrentHashMap<>();
    private final Random random;
    private volatile int sampleEvery = 1;
    private volatile boolean adaptive = true;

    public StackCapture() {
        this(THREAD_LOCAL_RANDOM);
    }

    StackCapture(Random random) {
        this.random = random;
    }

    /** {@code stack-sample}: one socket in {@code every} (1: all, and adaptive capture decides). */
    void sampleEvery(int every) {
        sampleEvery = Math.max(1, every);
    }

    /** Adaptive capture on (the default) or off (every socket captured, unless {@code stack-sample} says else). */
    public void adaptive(boolean on) {
        adaptive = on;
    }

    /** The site of a socket with these endpoints; null when it has none (its endpoint is unknown, or too many). */
    Site siteOf(boolean accepted, Endpoints endpoints) {
        if (!adaptive || sampleEvery > 1) {
            return null;
        }
        InetSocketAddress endpoint = accepted ? endpoints.local() : endpoints.remote();
        InetAddress address = endpoint == null ? null : endpoint.getAddress();
        if (address == null) {
            return null; // unresolved: never the address of a connected socket
        }
        Key key = new Key(accepted, endpoint.getPort(), address);
        Site site = sites.get(key);
        if (site == null && sites.size() < MAX_SITES) {
            // Not computeIfAbsent with a lambda: linking one on the thread of the first socket spins a class.
            Site created = new Site();
            site = sites.putIfAbsent(key, created);
            if (site == null) {
                site = created;
            }
        }
        return site;
    }

    /**
     * The allocation stack of socket {@code id} of {@code site} (null: none), opened at {@code nowNanos}: captured
     * here, or one standing in.
     */
    CallSite allocation(Site site, long id, long nowNanos) {
        return allocation(site, id, nowNanos, null);
    }

    /**
     * As {@link #allocation(Site, long, long)}, for a client channel whose {@code creation} stack was captured
     * ({@link ChannelCreations}; null: none): then its own stack is captured whatever the sampling says, as the two go
     * together, and on an adapted site it becomes the stand-in, creation and all. A site whose stand-in has a creation
     * is refreshed only by such sockets, so that a report standing in for a channel connected on a library's thread
     * still shows the code that created one ({@link CallSite#standInCreation()}).
     */
    CallSite allocation(Site site, long id, long nowNanos, Creation creation) {
        if (creation != null) {
            CallSite captured = new CallSite();
            if (site != null && site.adapted) {
                site.standIn = CallSite.standingIn(captured, id, creation);
                site.capturedNanos = nowNanos;
            }
            return captured;
        }
        int every = sampleEvery;
        if (every > 1) {
            return random.below(every) == 0 ? new CallSite() : CallSite.NOT_SAMPLED;
        }
        if (site == null || !site.adapted) {
            return new CallSite();
        }
        CallSite standIn = site.standIn;
        if (standIn == null || standIn.standInCreation() == null
                && nowNanos - site.capturedNanos >= MIN_REFRESH_NANOS && random.below(ADAPTIVE_EVERY) == 0) {
            CallSite captured = new CallSite();
            site.standIn = CallSite.standingIn(captured, id, null);
            site.capturedNanos = nowNanos;
            return captured;
        }
        return standIn;
    }

    /**
     * Whether to capture the stack where a client channel is created on a thread in the state {@code creator}, at
     * {@code nowNanos} ({@link ChannelCreations}): with {@code stack-sample=N}, one channel in N at random; else
     * always, unless the site this thread's last channel connected to is adapted now and its stand-in has a creation
     * ({@link Site#standsInWithCreation}), and so is the site of the last of its channels another thread connected,
     * if any: then like an adapted site, one in {@link #ADAPTIVE_EVERY} at random, no sooner than
     * {@link #MIN_REFRESH_NANOS} after this thread's last capture.
     */
    boolean capturesCreation(ChannelCreations.Creator creator, long nowNanos) {
        int every = sampleEvery;
        if (every > 1) {
            return random.below(every) == 0;
        }
        if (sampled(creator.lastSite) && (creator.lastHandedOff == null || sampled(creator.lastHandedOff))
                && (creator.captured && nowNanos - creator.capturedNanos < MIN_REFRESH_NANOS
                || random.below(ADAPTIVE_EVERY) != 0)) {
            return false;
        }
        creator.captured = true;
        creator.capturedNanos = nowNanos;
        return true;
    }

    /** Whether creations bound for {@code site} are sampled: it is adapted, and its stand-in has a creation. */
    private static boolean sampled(Site site) {
        return site != null && site.adapted && site.standsInWithCreation();
    }

    int sites() {
        return sites.size();
    }

    /** Sockets grouped by role and endpoint, with what adaptive capture knows of them. */
    static final class Site {
        private int closedInTime; // racy on purpose: see the class comment
        private volatile boolean adapted;
        private volatile CallSite standIn;
        private volatile long capturedNanos; // when standIn was captured; racy like the count
        /**
         * The churn detector's counters for this site's destination, when this is a client site (the remote
         * address is the destination): set at the first close, so that a close counts without a second lookup by
         * address ({@link ChurnDetector#closed}). Racy: two threads may both set the same destination.
         */
        volatile ChurnDetector.Destination churnDestination;
        /**
         * Where the last client channel of this site whose creation stack was captured was created, when a library
         * connected it on another thread ({@link ChannelCreations}); null otherwise. The churn detector credits the
         * site's closes to it: the connect stacks of such channels are the library's alone.
         */
        volatile CallSite creation;

        /** A socket of this site was closed without being reported. */
        void closedInTime() {
            if (!adapted && ++closedInTime >= ADAPT_AFTER) {
                adapted = true;
            }
        }

        /** A socket of this site was reported as leaked: capture all of them again. */
        void leaked() {
            adapted = false;
            closedInTime = 0;
        }

        boolean adapted() {
            return adapted;
        }

        /**
         * Whether this site's stand-in carries where its channel was created. Until it does, creations on threads whose
         * last channel went here are all captured: the first stand-in of a site adapted amid a burst of Netty
         * connects had Netty's connect stack alone, and every sampled-out report named Netty (2026-12-02).
         */
        boolean standsInWithCreation() {
            CallSite current = standIn;
            return current != null && current.standInCreation() != null;
        }
    }

    /**
     * A site's key: role, port and address. The IPv4 address is copied in as an int, so that comparing with a key in
     * the map reads that key alone, not the chain of objects behind an {@code InetSocketAddress} (its holder, the
     * {@code InetAddress}, that one's holder), which are cold when a connection opens. Those comparisons were 8 % of
     * the hooks' profile under churn; the gain in the whole-process benchmark is within its spread (issue 16). Other
     * addresses compare with {@code InetAddress.equals}, as {@code InetSocketAddress} would. Not a record: a
     * record's generated equals and hashCode bootstrap {@code ObjectMethods} through invokedynamic the first time,
     * about 15 ms on the thread that opens the first socket.
     */
    static final class Key {
        private final boolean accepted;
        private final int port;
        private final int ipv4;
        /** Null for an IPv4 address (see {@link #ipv4}). */
        private final InetAddress other;
        private final int hash;

        Key(boolean accepted, int port, InetAddress address) {
            this.accepted = accepted;
            this.port = port;
            if (address instanceof Inet4Address v4) {
                this.ipv4 = v4.hashCode(); // Inet4Address.hashCode is the address itself (JDK 17 and 25)
                this.other = null;
            } else {
                this.ipv4 = 0;
                this.other = address;
            }
            this.hash = (31 * (31 * address.hashCode() + port)) + (accepted ? 1 : 0);
        }

        @Override
        public boolean equals(Object object) {
            if (!(object instanceof Key key) || key.port != port || key.accepted != accepted || key.ipv4 != ipv4) {
                return false;
            }
            return other == null ? key.other == null : other.equals(key.other);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
