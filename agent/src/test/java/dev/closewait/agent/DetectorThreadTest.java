package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
}
