package dev.closewait.config;

/** Where text reports go. */
public enum LogTarget {
    /** The application's own SLF4J logging when it has a working SLF4J binding, else standard error. */
    AUTO,
    STDERR,
    OFF
}
