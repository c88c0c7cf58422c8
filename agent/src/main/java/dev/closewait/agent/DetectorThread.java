package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.kernel.KernelScan;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the detector, and the kernel scan when there is one, on the single daemon thread {@code closewait-detector}:
 * one thread, so the two never race over a socket's state.
 */
final class DetectorThread {

    private DetectorThread() {
    }

    static ScheduledExecutorService start(Task scan, long intervalNanos, KernelScan kernelScan, AgentErrors errors) {
        ScheduledExecutorService executor =
                Executors.newSingleThreadScheduledExecutor(task -> new AgentThread("detector", task));
        every(executor, intervalNanos, "leak detector", scan, errors);
        if (kernelScan != null) {
            executor.schedule(new Runnable() {
                @Override
                public void run() {
                    long delay = KernelScan.intervalNanos(0);
                    try {
                        delay = kernelScan.scan();
                    } catch (Throwable t) {
                        errors.record("kernel scan", t);
                    } finally {
                        executor.schedule(this, delay, TimeUnit.NANOSECONDS);
                    }
                }
            }, 0, TimeUnit.NANOSECONDS);
        }
        return executor;
    }

    interface Task {
        void run() throws Exception;
    }

    /** Runs a task periodically on the detector thread; a failure is counted and the next run happens anyway. */
    static void every(ScheduledExecutorService executor, long periodNanos, String name, Task task,
                      AgentErrors errors) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                errors.record(name, t);
            }
        }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
}
