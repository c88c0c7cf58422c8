package dev.closewait.agent;

import dev.closewait.config.ChurnOptions;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.ChurnDetector;
import dev.closewait.core.LeakListener;
import dev.closewait.core.SocketTracker;
import dev.closewait.kernel.EphemeralPorts;
import dev.closewait.metrics.LeakMetrics;
import dev.closewait.report.StackFrames;


/** Connection churn ({@code churn=on}): counts closes from the tracker, scans on the detector thread, adds meters. */
final class ChurnSetup {

    private ChurnSetup() {
    }

    /**
     * Lets {@code churn}, counting closes since before main, report; null, and the tracker no longer tells it of
     * closes, with {@code churn=off}.
     */
    static ChurnDetector install(ChurnOptions options, ChurnDetector churn, SocketTracker tracker,
                                 LeakListener listener, LeakMetrics metrics, AgentErrors errors) {
        if (!options.on()) {
            tracker.observeCloses(null);
            return null;
        }
        int ports = EphemeralPorts.system().ports();
        churn.start(options.threshold(ports), ports, StackFrames::applicationFrame, listener, errors);
        metrics.connections(churn::applicationCloses, churn::peerCloses, churn::timeWaitEstimate);
        return churn;
    }

    /** Scans cost a pass over at most 256 destinations: once a second reports churn promptly enough. */
    static void scanEverySecond(ChurnDetector churn, SecondTick tick) {
        if (churn != null) {
            tick.add("churn scan", churn::scan);
        }
    }
}
