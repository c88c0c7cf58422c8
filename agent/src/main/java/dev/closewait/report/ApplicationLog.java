package dev.closewait.report;

import dev.closewait.core.ClassLoaderCandidates;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends text reports to the application's SLF4J logging when it has SLF4J with a working binding, looked up when
 * the first report is written (never at start, so the agent cannot initialise the application's logging early),
 * and to standard error until then or otherwise.
 */
public final class ApplicationLog implements AppLog {

    private final ClassLoaderCandidates loaders;
    private final AppLog fallback;
    private volatile AppLog found;

    /** @param stderr the standard error stream the JVM had when the agent was loaded (see {@link StderrLog}) */
    public ApplicationLog(ClassLoaderCandidates loaders, PrintStream stderr) {
        this.loaders = loaders;
        this.fallback = new StderrLog(stderr);
    }

    /** With the application's logger already found, and a fallback of the test's choosing. */
    ApplicationLog(AppLog application, AppLog fallback) {
        this.loaders = new ClassLoaderCandidates();
        this.fallback = fallback;
        this.found = application;
    }

    /**
     * To the application's logger; if that throws anything (an appender's RuntimeException, an OutOfMemoryError, a
     * StackOverflowError), the report goes to standard error instead and the failure is thrown on, to be counted.
     */
    @Override
    public void warn(String message) {
        AppLog target = target();
        try {
            target.warn(message);
        } catch (Throwable t) {
            if (target != fallback) {
                fallback.warn(message);
            }
            throw t;
        }
    }

    @Override
    public void info(String message) {
        AppLog target = target();
        try {
            target.info(message);
        } catch (Throwable t) {
            if (target != fallback) {
                fallback.info(message);
            }
            throw t;
        }
    }

    @Override
    public void leak(String message, java.util.Map<String, Object> keyValues, Throwable trace, String text) {
        target().leak(message, keyValues, trace, text);
    }

    private AppLog target() {
        AppLog log = found;
        if (log != null) {
            return log;
        }
        List<ClassLoader> candidates = new ArrayList<>();
        candidates.add(ClassLoader.getSystemClassLoader());
        candidates.addAll(loaders.candidates());
        for (ClassLoader loader : candidates) {
            Slf4jLog slf4j = Slf4jLog.find(loader);
            if (slf4j != null) {
                found = slf4j;
                return slf4j;
            }
        }
        return fallback;
    }
}
