package dev.closewait.agent;

/**
 * Milliseconds spent in each step of the agent's start, printed to stderr when the JVM runs with
 * {@code -Ddev.closewait.debug.startup=true} (not under {@code closewait.}, which is read as options). For finding
 * where start-up time goes; see docs/performance.md.
 */
final class StartupTimer {

    static final String PROPERTY = "dev.closewait.debug.startup";

    private static final boolean ENABLED = Boolean.getBoolean(PROPERTY);
    private static final StringBuilder STEPS = new StringBuilder();
    private static long last = System.nanoTime();
    private static long first = last;

    private StartupTimer() {
    }

    /** Starts the clock at {@code nanos} (when premain was entered), counted as the step "entry". */
    static void begin(long nanos) {
        first = nanos;
        last = nanos;
        step("entry");
    }

    /** The step that just ended. */
    static void step(String name) {
        if (!ENABLED) {
            return;
        }
        long now = System.nanoTime();
        STEPS.append(' ').append(name).append(' ').append(String.format("%.1f", (now - last) / 1e6)).append(" ms,");
        last = now;
    }

    static void print() {
        if (ENABLED) {
            System.err.println("closewait: start-up steps:" + STEPS + " total "
                    + String.format("%.1f", (System.nanoTime() - first) / 1e6) + " ms");
        }
    }
}
