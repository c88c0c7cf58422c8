package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A task on the detector thread that keeps failing, even with an Error, is counted, logged once and run again. */
class DetectorThreadTest {

    @Test
    void aFailingScanIsCountedLoggedOnceAndRunAgain() throws InterruptedException {
        List<String> warnings = new CopyOnWriteArrayList<>();
        AgentErrors errors = new AgentErrors(warnings::add);
        AtomicInteger runs = new AtomicInteger();
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            DetectorThread.every(executor, TimeUnit.MILLISECONDS.toNanos(1), "leak detector", () -> {
                runs.incrementAndGet();
                throw new OutOfMemoryError("scan failed (test)");
            }, errors);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (runs.get() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
        }
        assertTrue(runs.get() >= 5, "ran again after failing: " + runs.get() + " runs");
        assertEquals(runs.get(), errors.count(), "every failure counted");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("closewait: internal error in leak detector"), warnings.get(0));
    }

    /** Keeps what is scheduled instead of running it, with its delay: the test runs the tasks one by one. */
    private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        final List<Long> delays = new ArrayList<>();
        final List<Runnable> tasks = new ArrayList<>();

        RecordingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            delays.add(unit.toNanos(delay));
            tasks.add(task);
            return null;
        }

        void runLast() {
            tasks.get(tasks.size() - 1).run();
        }
    }

    @Test
    void aRepeatedTaskRunsAgainAfterTheDelayItReturnsOrAfterTheFallbackWhenItFails() {
        List<String> warnings = new ArrayList<>();
        AgentErrors errors = new AgentErrors(warnings::add);
        RecordingScheduler scheduler = new RecordingScheduler();
        long[] answers = {7_000_000L, -1, 3_000_000L};
        AtomicInteger run = new AtomicInteger();
        try {
            DetectorThread.repeat(scheduler, "kernel probe", 60_000_000L, () -> {
                long answer = answers[run.getAndIncrement()];
                if (answer < 0) {
                    throw new IllegalStateException("probe failed (test)");
                }
                return answer;
            }, errors);
            scheduler.runLast();
            scheduler.runLast();
            scheduler.runLast();
        } finally {
            scheduler.shutdownNow();
        }

        // First run at once, then each run's own delay: the earliest pending grace, not the regular interval.
        assertEquals(List.of(0L, 7_000_000L, 60_000_000L, 3_000_000L), scheduler.delays);
        assertEquals(1, errors.count());
    }
}
