package dev.closewait.bench;

/**
 * Workload (c): the trivial main whose JVM start-up is timed with and without the agent. Prints
 * {@code System.nanoTime()} as main begins: on Linux the parent's {@code System.nanoTime()} reads the same clock
 * (CLOCK_MONOTONIC), so the parent can tell how long the JVM took to reach main.
 */
public final class TrivialMain {

    private TrivialMain() {
    }

    public static void main(String[] args) {
        System.out.println(System.nanoTime());
    }
}
