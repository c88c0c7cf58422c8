package dev.closewait.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a captured stack into the frames a report shows: the agent's own frames and the JDK's socket plumbing at
 * the top are dropped down to the last JDK frame before application code, which says what the application called
 * ({@code java.net.ServerSocket.accept}, {@code java.io.BufferedReader.readLine}); then at most {@code depth}
 * frames are kept. A stack with no application frame at all loses only the agent and JDK-internal frames on top.
 */
public final class StackFrames {

    private static final String[] AGENT_PREFIXES = {
            "dev.closewait.bootstrap.", "dev.closewait.core.", "dev.closewait.jdk.", "dev.closewait.instrument.",
            "dev.closewait.agent.", "dev.closewait.report.", "dev.closewait.shaded."};
    private static final String[] JDK_INTERNAL_PREFIXES = {"sun.", "jdk.internal.", "com.sun."};
    private static final String[] JDK_PREFIXES = {
            "java.", "javax.net.", "javax.security.", "sun.", "jdk.", "com.sun."};

    private StackFrames() {
    }

    public static List<String> of(Throwable captured, int depth) {
        if (captured == null) {
            return List.of();
        }
        StackTraceElement[] frames = captured.getStackTrace();
        int first = firstNonAgentFrame(frames);
        int application = first;
        while (application < frames.length && startsWithAny(frames[application].getClassName(), JDK_PREFIXES)) {
            application++;
        }
        if (application < frames.length) {
            first = Math.max(first, application - 1);
        } else {
            int afterInternals = first;
            while (afterInternals < frames.length
                    && startsWithAny(frames[afterInternals].getClassName(), JDK_INTERNAL_PREFIXES)) {
                afterInternals++;
            }
            if (afterInternals < frames.length) {
                first = afterInternals; // all plumbing otherwise: better to show it than nothing
            }
        }
        List<String> shown = new ArrayList<>(Math.min(depth, frames.length - first));
        for (int i = first; i < frames.length && shown.size() < depth; i++) {
            shown.add(format(frames[i]));
        }
        return shown;
    }

    /** {@code pkg.Class.method(File.java:123)}, without the module and class loader prefixes of JDK 9+. */
    static String format(StackTraceElement frame) {
        String location;
        if (frame.isNativeMethod()) {
            location = "Native Method";
        } else if (frame.getFileName() == null) {
            location = "Unknown Source";
        } else if (frame.getLineNumber() >= 0) {
            location = frame.getFileName() + ":" + frame.getLineNumber();
        } else {
            location = frame.getFileName();
        }
        return frame.getClassName() + "." + frame.getMethodName() + "(" + location + ")";
    }

    /** The first frame that is neither the agent's nor the JDK's: where the application made the socket. */
    public static String firstApplicationFrame(Throwable captured) {
        StackTraceElement frame = applicationElement(captured);
        return frame == null ? null : format(frame);
    }

    private static StackTraceElement applicationElement(Throwable captured) {
        if (captured == null) {
            return null;
        }
        StackTraceElement[] frames = captured.getStackTrace();
        for (int i = firstNonAgentFrame(frames); i < frames.length; i++) {
            if (!startsWithAny(frames[i].getClassName(), JDK_PREFIXES)) {
                return frames[i];
            }
        }
        return null;
    }

    private static int firstNonAgentFrame(StackTraceElement[] frames) {
        int first = 0;
        while (first < frames.length && startsWithAny(frames[first].getClassName(), AGENT_PREFIXES)) {
            first++;
        }
        return first;
    }

    /**
     * True when an application frame of the stack (neither the agent's nor the JDK's) belongs to a class under one
     * of the prefixes. A prefix matches whole name parts: {@code com.acme} matches {@code com.acme.Server} and
     * {@code com.acme.db.Pool}, not {@code com.acmecorp.App}.
     */
    public static boolean mentions(Throwable captured, List<String> prefixes) {
        if (captured == null) {
            return false;
        }
        StackTraceElement[] frames = captured.getStackTrace();
        for (int i = firstNonAgentFrame(frames); i < frames.length; i++) {
            String className = frames[i].getClassName();
            if (startsWithAny(className, JDK_PREFIXES)) {
                continue;
            }
            for (String prefix : prefixes) {
                if (underPrefix(className, prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code pkg.Class.method} of the first application frame (neither the agent's nor the JDK's), or null when the
     * stack has none.
     */
    public static String applicationFrame(Throwable captured) {
        StackTraceElement frame = applicationElement(captured);
        return frame == null ? null : frame.getClassName() + "." + frame.getMethodName();
    }

    private static boolean underPrefix(String className, String prefix) {
        if (!className.startsWith(prefix)) {
            return false;
        }
        if (className.length() == prefix.length() || prefix.endsWith(".")) {
            return true;
        }
        char next = className.charAt(prefix.length());
        return next == '.' || next == '$';
    }

    private static boolean startsWithAny(String className, String[] prefixes) {
        for (String prefix : prefixes) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
