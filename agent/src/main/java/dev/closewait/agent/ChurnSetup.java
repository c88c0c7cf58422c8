package dev.closewait.agent;

import dev.closewait.config.ChurnOptions;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.ChurnDetector;
import dev.closewait.core.LeakListener;
import dev.closewait.core.SocketTracker;
import dev.closewait.kernel.EphemeralPorts;
import dev.closewait.metrics.LeakMetrics;
import dev.closewait.report.Sites;

import java.util.function.Function;
import java.util.function.LongSupplier;


/** Connection churn ({@code churn=on}): counts closes from the tracker, scans on the detector thread, adds meters. */
final class ChurnSetup {

    private ChurnSetup() {
    }

    /**
     * Lets {@code churn}, counting closes since before main, report; null, and the tracker no longer tells it of
     * closes, with {@code churn=off}.
     */
    static ChurnDetector install(ChurnOptions options, ChurnDetector churn, SocketTracker tracker, Sites sites,
                                 LeakListener listener, LeakMetrics metrics, AgentErrors errors) {
        if (!options.on()) {
            tracker.observeCloses(null);
            return null;
        }
        int ports = EphemeralPorts.system().ports();
        churn.start(options.threshold(ports), ports, new SiteMethod(sites), listener, errors);
        metrics.connections(new Count(churn, Count.APPLICATION_CLOSES), new Count(churn, Count.PEER_CLOSES),
                new Count(churn, Count.TIME_WAIT_ESTIMATE));
        return churn;
    }

    /** Scans cost a pass over at most 256 destinations: once a second reports churn promptly enough. */
    static void scanEverySecond(ChurnDetector churn, SecondTick tick) {
        if (churn != null) {
            tick.add("churn scan", new DetectorThread.Task() {
                @Override
                public void run() {
                    churn.scan();
                }
            });
        }
    }

    // Classes, not method references: see AgentInstaller.

    /**
     * The churn report's site: the frame a leak report would name in a close's stack (the first application frame,
     * libraries skipped as {@code app-packages} and {@code library-packages} say), as {@code pkg.Class.method}.
     */
    private static final class SiteMethod implements Function<Throwable, String> {
        private final Sites sites;

        SiteMethod(Sites sites) {
            this.sites = sites;
        }

        @Override
        public String apply(Throwable stack) {
            return sites.method(stack);
        }
    }

    /** One of the churn detector's counts, for a meter. */
    private static final class Count implements LongSupplier {
        static final int APPLICATION_CLOSES = 0;
        static final int PEER_CLOSES = 1;
        static final int TIME_WAIT_ESTIMATE = 2;
        private final ChurnDetector churn;
        private final int which;

        Count(ChurnDetector churn, int which) {
            this.churn = churn;
            this.which = which;
        }

        @Override
        public long getAsLong() {
            return switch (which) {
                case APPLICATION_CLOSES -> churn.applicationCloses();
                case PEER_CLOSES -> churn.peerCloses();
                default -> churn.timeWaitEstimate();
            };
        }
    }
}
