package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.KernelSnapshot;
import dev.closewait.kernel.KernelScan;

import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Runs the detector, the kernel view's per-descriptor probes and the joins of its table scans on the single daemon
 * thread {@code closewait-detector}: one thread, so nothing races over a socket's state or a report sink. Reading
 * /proc can be slow on a host with many sockets, so that alone runs on {@code closewait-kernel}, which hands each
 * snapshot over.
 */
final class DetectorThread {

    private DetectorThread() {
    }

    static ScheduledExecutorService start(Task scan, long intervalNanos, KernelView kernel, AgentErrors errors) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(new Named("detector"));
        every(executor, intervalNanos, "leak detector", scan, errors);
        if (kernel != null) {
            startProbes(kernel, executor, errors);
            startKernelReader(kernel.scan, executor, errors);
        }
        return executor;
    }

    /**
     * Probes the tracked sockets every probe interval, and once more exactly when the earliest pending socket's
     * grace runs out, so that it is reported then rather than up to an interval later.
     */
    private static void startProbes(KernelView kernel, ScheduledExecutorService detector, AgentErrors errors) {
        KernelLeakFinder finder = kernel.finder;
        repeat(detector, "kernel probe", KernelLeakFinder.probeIntervalNanos(finder.graceNanos()), new DelayedTask() {
            @Override
            public long run() {
                return finder.probe();
            }
        }, errors);
    }

    /*
     * The tasks here are classes, not lambdas: a lambda is linked on first use by spinning a class and method
     * handles, and these are made during the agent's start (docs/performance.md, "Start-up CPU").
     */

    /** Makes the executor's one thread, an {@link AgentThread} named {@code closewait-<name>}. */
    private static final class Named implements ThreadFactory {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public Thread newThread(Runnable task) {
            return new AgentThread(name, task);
        }
    }

    /** One run of a task that says when it wants to run next. */
    interface DelayedTask {
        /** Runs once; returns the delay to the next run, in nanoseconds. */
        long run() throws Exception;
    }

    /**
     * Runs {@code task} now, then again after the delay each run returns; after a run that throws (counted in
     * {@code errors} under {@code name}), after {@code fallbackNanos}. Ends quietly once the executor is shut down.
     */
    static void repeat(ScheduledExecutorService executor, String name, long fallbackNanos, DelayedTask task,
                       AgentErrors errors) {
        try {
            executor.schedule(new Runnable() {
                @Override
                public void run() {
                    long delay = fallbackNanos;
                    try {
                        delay = task.run();
                    } catch (Throwable t) {
                        errors.record(name, t);
                    }
                    try {
                        executor.schedule(this, delay, TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException stopped) {
                        // the agent is shutting down or turned itself off
                    }
                }
            }, 0, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            // shut down before the first run
        }
    }

    private static void startKernelReader(KernelScan kernelScan, ScheduledExecutorService detector,
                                          AgentErrors errors) {
        ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(new Named("kernel"));
        reader.schedule(new Runnable() {
            @Override
            public void run() {
                if (detector.isShutdown()) {
                    reader.shutdown();
                    return;
                }
                long delay = kernelScan.baseIntervalNanos();
                try {
                    KernelSnapshot snapshot = kernelScan.read();
                    detector.execute(new Runnable() {
                        @Override
                        public void run() {
                            try {
                                kernelScan.join(snapshot);
                            } catch (Throwable t) {
                                errors.record("kernel scan", t);
                            }
                        }
                    });
                    delay = kernelScan.nextDelayNanos();
                } catch (RejectedExecutionException stopped) {
                    reader.shutdown();
                    return;
                } catch (Throwable t) {
                    errors.record("kernel scan", t);
                }
                reader.schedule(this, delay, TimeUnit.NANOSECONDS);
            }
        }, 0, TimeUnit.NANOSECONDS);
    }

    /** Runs a task on the detector thread and waits for it, at most the timeout; false if it could not run. */
    static boolean runAndWait(ScheduledExecutorService detector, Task task, long timeoutMillis, AgentErrors errors) {
        try {
            detector.submit(new Callable<Void>() {
                @Override
                public Void call() throws Exception {
                    task.run();
                    return null;
                }
            }).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (Throwable t) {
            if (!(t instanceof RejectedExecutionException)) {
                errors.record("final scan", t);
            }
            return false;
        }
    }

    interface Task {
        void run() throws Exception;
    }

    /** Runs a task periodically on the detector thread; a failure is counted and the next run happens anyway. */
    static void every(ScheduledExecutorService executor, long periodNanos, String name, Task task,
                      AgentErrors errors) {
        executor.scheduleWithFixedDelay(new Runnable() {
            @Override
            public void run() {
                try {
                    task.run();
                } catch (Throwable t) {
                    errors.record(name, t);
                }
            }
        }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
}
