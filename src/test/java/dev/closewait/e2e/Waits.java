package dev.closewait.e2e;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * How long end-to-end tests wait, in one place. The suite must pass on a loaded two-core machine, so a wait for
 * something that must happen is long (it ends as soon as the condition holds, so a healthy run never pays it), and
 * exact timing is never asserted here: the agent's own timestamps are checked for order and the unit tests pin the
 * timing with a fake clock.
 */
public final class Waits {

    /** The longest wait for something that must happen: a report, a line of output, an exit. */
    public static final Duration EVENT = Duration.ofSeconds(60);
    /**
     * Slack on the agent's own report latency (counted from EOF or the kernel state, on the agent's clock) over
     * grace. By design a report comes within 1.25 × grace of EOF and 1.5 × grace of the kernel state
     * ({@code ScanIntervalTest}, {@code KernelScanTest} pin this); on a loaded machine the detector thread may wait
     * for a core much longer, so here only a report that never comes, or comes before grace, fails.
     */
    public static final Duration REPORT_SLACK = Duration.ofSeconds(60);
    /** How often a condition is polled. */
    private static final long POLL_MILLIS = 50;

    private Waits() {
    }

    /**
     * Polls {@code value} until {@code done} holds for it, at most {@code timeout}; returns the last value either way
     * (the caller asserts on it, with its own context).
     */
    public static <T> T until(Supplier<T> value, java.util.function.Predicate<T> done, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = value.get();
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
            last = value.get();
        }
        return last;
    }

    /**
     * Polls {@code value} for the whole of {@code period}, failing at once when {@code allowed} stops holding: for
     * "nothing more happens". Returns the last value.
     */
    public static <T> T holds(Supplier<T> value, java.util.function.Predicate<T> allowed, Duration period,
                              Supplier<String> context) throws InterruptedException {
        long deadline = System.nanoTime() + period.toNanos();
        T last = value.get();
        while (true) {
            if (!allowed.test(last)) {
                throw new AssertionError("during the quiet period: " + last + "\n" + context.get());
            }
            if (System.nanoTime() >= deadline) {
                return last;
            }
            Thread.sleep(POLL_MILLIS);
            last = value.get();
        }
    }
}
