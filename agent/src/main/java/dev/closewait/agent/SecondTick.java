package dev.closewait.agent;

import dev.closewait.core.AgentErrors;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The detector thread's once-a-second chores, run one after another in a single wakeup: answering the report
 * command's mailbox, the churn scan, the search for the application's Micrometer. Each had a schedule of its own
 * (the mailbox every half second), so an idle JVM woke the detector thread about five times a second; each wakeup ran
 * code that had gone cold, and cost this project's 2-core virtual machines 3 to 5 ms of CPU, about 4 % of a core in
 * all (per-thread CPU from {@code /proc/PID/task/TID/schedstat}, JDK 17, issue 16).
 *
 * <p>A chore that throws is counted in {@link AgentErrors} under its name; the others, and its next run, go on.
 */
final class SecondTick {

    /** The period, in nanoseconds. */
    static final long PERIOD_NANOS = 1_000_000_000L;

    private final List<Chore> chores = new CopyOnWriteArrayList<>();
    private final AgentErrors errors;

    /** A tick that nobody schedules: {@link #start} schedules one; tests call {@link #run} themselves. */
    SecondTick(AgentErrors errors) {
        this.errors = errors;
    }

    private record Chore(String name, DetectorThread.Task task) {
    }

    /** Runs the chores added to the returned tick once a second on {@code detector}, the first a second from now. */
    static SecondTick start(ScheduledExecutorService detector, AgentErrors errors) {
        SecondTick tick = new SecondTick(errors);
        detector.scheduleWithFixedDelay(new Runnable() { // not a method reference: see AgentInstaller
            @Override
            public void run() {
                tick.run();
            }
        }, PERIOD_NANOS, PERIOD_NANOS, TimeUnit.NANOSECONDS);
        return tick;
    }

    /** Adds a chore, run from the next tick on; {@code name} is what a failure is counted under. */
    void add(String name, DetectorThread.Task task) {
        chores.add(new Chore(name, task));
    }

    /** One tick: every chore in the order added. Never throws. */
    void run() {
        for (Chore chore : chores) {
            try {
                chore.task().run();
            } catch (Throwable t) {
                errors.record(chore.name(), t);
            }
        }
    }
}
