package dev.closewait.bench;

/** Workload (c): the trivial main whose JVM start-up is timed with and without the agent. */
public final class TrivialMain {

    private TrivialMain() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
