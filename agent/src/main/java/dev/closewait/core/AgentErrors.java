package dev.closewait.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Errors the agent swallowed to protect its host: all are counted, each distinct cause is logged once. */
public final class AgentErrors {

    private static final int MAX_LOGGED_CAUSES = 64;

    private final AtomicLong count = new AtomicLong();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private final Consumer<String> warn;

    public AgentErrors(Consumer<String> warn) {
        this.warn = warn;
    }

    public void record(String where, Throwable failure) {
        count.incrementAndGet();
        String cause = where + ':' + failure.getClass().getName();
        if (logged.size() < MAX_LOGGED_CAUSES && logged.add(cause)) {
            try {
                warn.accept("closewait: internal error in " + where + " (the application is not affected; "
                        + "later errors of this kind are only counted): " + failure);
            } catch (Throwable ignored) {
                // Logging the error failed as well; it is still counted.
            }
        }
    }

    public long count() {
        return count.get();
    }
}
