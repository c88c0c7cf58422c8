package dev.closewait.core;

import dev.closewait.text.SafeText;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Errors the agent swallowed to protect its host: all are counted, each distinct cause is logged once, and after
 * {@link #GIVE_UP_AFTER} of them that are not I/O failures the agent is told to turn itself off: something is wrong
 * with it in this JVM.
 */
public final class AgentErrors {

    public static final long GIVE_UP_AFTER = 1_000;
    private static final int MAX_LOGGED_CAUSES = 64;

    private final AtomicLong count = new AtomicLong();
    /** The errors that count towards {@link #GIVE_UP_AFTER}: all but I/O failures (see {@link #record}). */
    private final AtomicLong internal = new AtomicLong();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private final Consumer<String> warn;
    private volatile Runnable giveUp; // null until set: no lambda to spin up during the JVM's start-up
    /** Errors by where they happened ("report to JsonLinesSink", ...), for the status command; bounded like logged. */
    private final Map<String, AtomicLong> byPlace = new ConcurrentHashMap<>();
    private final List<String> firstMessages = new CopyOnWriteArrayList<>();

    public AgentErrors(Consumer<String> warn) {
        this.warn = warn;
    }

    /** What to do once the errors reach {@link #GIVE_UP_AFTER}; run once, on the thread that hit the limit. */
    public void onGiveUp(Runnable action) {
        this.giveUp = action;
    }

    /**
     * Counts and logs (once per place and kind) an error the agent swallowed. I/O failures are counted and logged but
     * do not bring the agent closer to turning itself off: they say the machine is failing, not the agent; a process
     * out of descriptors, what leaking sockets lead to, failed the report command's poll every second and turned the
     * agent off after 17 minutes, just when its reports mattered most.
     */
    public void record(String where, Throwable failure) {
        count.incrementAndGet();
        boolean environment = failure instanceof IOException || failure instanceof UncheckedIOException;
        if (!environment && internal.incrementAndGet() == GIVE_UP_AFTER) {
            try {
                Runnable action = giveUp;
                if (action != null) {
                    action.run();
                }
            } catch (Throwable ignored) {
                // turning off must not fail the host either
            }
        }
        AtomicLong atPlace = byPlace.get(where);
        if (atPlace == null && byPlace.size() < MAX_LOGGED_CAUSES) {
            AtomicLong first = new AtomicLong();
            AtomicLong raced = byPlace.putIfAbsent(where, first);
            atPlace = raced != null ? raced : first;
        }
        if (atPlace != null) {
            atPlace.incrementAndGet();
        }
        String cause = where + ':' + failure.getClass().getName();
        if (logged.size() < MAX_LOGGED_CAUSES && logged.add(cause)) {
            try {
                String message = "closewait: " + (environment ? "I/O failure" : "internal error") + " in " + where
                        + " (the application is not affected; later errors of this kind are only counted): "
                        + SafeText.bounded(String.valueOf(failure), 1000);
                firstMessages.add(message);
                warn.accept(message);
            } catch (Throwable ignored) {
                // Logging the error failed as well; it is still counted.
            }
        }
    }

    public long count() {
        return count.get();
    }

    /** How many errors each place recorded (at most 64 places), sorted by place. */
    public Map<String, Long> countsByPlace() {
        Map<String, Long> counts = new TreeMap<>();
        for (Map.Entry<String, AtomicLong> entry : byPlace.entrySet()) {
            counts.put(entry.getKey(), entry.getValue().get());
        }
        return counts;
    }

    /** The line logged for the first error of each kind, at most 64, oldest first. */
    public List<String> firstMessages() {
        return List.copyOf(firstMessages);
    }
}
