package dev.closewait.agent;

/**
 * Milliseconds spent in each step of the agent's start, printed to stderr when the JVM runs with
 * {@code -Ddev.closewait.debug.startup=true} (not under {@code closewait.}, which is read as options). For finding
 * where start-up time goes; see docs/performance.md. A step only records {@code System.nanoTime()}: the formatting
 * waits for {@link #print}, so that it is counted in no step.
 */
final class StartupTimer {

    static final String PROPERTY = "dev.closewait.debug.startup";

    private static final boolean ENABLED = Boolean.getBoolean(PROPERTY);
    private static final int MAX_STEPS = 32;
    private static final String[] NAMES = new String[MAX_STEPS];
    private static final long[] ENDS = new long[MAX_STEPS];
    private static int steps;
    private static long first = System.nanoTime();
    private static boolean printed;

    private StartupTimer() {
    }

    /** Starts the clock at {@code nanos} (when premain was entered), counted as the step "entry". */
    static void begin(long nanos) {
        first = nanos;
        step("entry");
    }

    /** The step that just ended; steps beyond the 32nd are not recorded. */
    static synchronized void step(String name) {
        if (!ENABLED || steps == MAX_STEPS) {
            return;
        }
        ENDS[steps] = System.nanoTime();
        NAMES[steps++] = name;
    }

    /** Prints the steps recorded so far, once: at the end of the start, or at exit if the start did not get there. */
    static synchronized void print() {
        if (!ENABLED || printed) {
            return;
        }
        printed = true;
        StringBuilder line = new StringBuilder("closewait: start-up steps:");
        long last = first;
        for (int i = 0; i < steps; i++) {
            line.append(' ').append(NAMES[i]).append(' ').append(String.format("%.1f", (ENDS[i] - last) / 1e6))
                    .append(" ms,");
            last = ENDS[i];
        }
        System.err.println(line + " total " + String.format("%.1f", (last - first) / 1e6) + " ms");
    }
}
