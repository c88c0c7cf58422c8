package dev.closewait.agent;

import dev.closewait.config.ChurnOptions;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.ChurnDetector;
import dev.closewait.core.Clock;
import dev.closewait.core.LeakListener;
import dev.closewait.core.SocketTracker;
import dev.closewait.kernel.EphemeralPorts;
import dev.closewait.metrics.LeakMetrics;
import dev.closewait.report.StackFrames;

import java.util.concurrent.ScheduledExecutorService;

/** Connection churn ({@code churn=on}): counts closes from the tracker, scans on the detector thread, adds meters. */
final class ChurnSetup {

    /** Scans cost a pass over at most 256 destinations: once a second reports churn promptly enough. */
    private static final long SCAN_INTERVAL_NANOS = 1_000_000_000L;

    private ChurnSetup() {
    }

    /** Creates and hooks up the detector; null with {@code churn=off}. */
    static ChurnDetector install(ChurnOptions options, SocketTracker tracker, Clock clock, LeakListener listener,
                                 LeakMetrics metrics, AgentErrors errors) {
        if (!options.on()) {
            return null;
        }
        int ports = EphemeralPorts.system().ports();
        ChurnDetector churn = new ChurnDetector(clock, options.threshold(ports), ports, StackFrames::applicationFrame,
                listener, errors);
        metrics.connections(churn::applicationCloses, churn::peerCloses, churn::timeWaitEstimate);
        tracker.observeCloses(churn);
        return churn;
    }

    static void scanEverySecond(ChurnDetector churn, ScheduledExecutorService detectorThread, AgentErrors errors) {
        if (churn != null) {
            DetectorThread.every(detectorThread, SCAN_INTERVAL_NANOS, "churn scan", churn::scan, errors);
        }
    }
}
