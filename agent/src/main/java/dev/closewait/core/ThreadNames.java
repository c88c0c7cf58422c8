package dev.closewait.core;

/** How reports name a thread: its name, or its description when it has none (virtual threads usually don't). */
public final class ThreadNames {

    private ThreadNames() {
    }

    public static String current() {
        Thread thread = Thread.currentThread();
        String name = thread.getName();
        return name.isEmpty() ? thread.toString() : name;
    }
}
