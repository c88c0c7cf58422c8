package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.LeakDetector;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs the detector at a fixed interval on the daemon thread {@code closewait-detector}. */
final class DetectorThread {

    private DetectorThread() {
    }

    static ScheduledExecutorService start(LeakDetector detector, long intervalNanos, AgentErrors errors) {
        ScheduledExecutorService executor =
                Executors.newSingleThreadScheduledExecutor(task -> new AgentThread("detector", task));
        executor.scheduleWithFixedDelay(() -> {
            try {
                detector.scan();
            } catch (Throwable t) {
                errors.record("leak detector", t);
            }
        }, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
        return executor;
    }
}
