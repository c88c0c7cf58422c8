package dev.closewait.core;

/** How reports name a thread: its name, or its description when it has none (virtual threads usually don't). */
public final class ThreadNames {

    private ThreadNames() {
    }

    public static String current() {
        Thread thread = Thread.currentThread();
        String name = thread.getName();
        return name.isEmpty() ? unnamed(thread.toString()) : name;
    }

    /**
     * An unnamed thread's description, without what changes from moment to moment: a virtual thread's
     * {@code toString()} is {@code VirtualThread[#24]/runnable@ForkJoinPool-1-worker-2} (JDK 21 and 25), its state
     * and its carrier thread of the moment, which misled a reader into the carrier; {@code VirtualThread[#24]} is
     * what stays.
     */
    static String unnamed(String description) {
        int end = description.indexOf("]/");
        return description.startsWith("VirtualThread[") && end > 0 ? description.substring(0, end + 1) : description;
    }
}
