package dev.closewait.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a captured stack into the frames a report shows: the agent's own frames and the JDK's internal socket
 * plumbing at the top are dropped (public JDK API frames such as {@code java.net.ServerSocket.accept} stay, they
 * say what the application called), then at most {@code depth} frames are kept.
 */
public final class StackFrames {

    private static final String[] AGENT_PREFIXES = {
            "dev.closewait.bootstrap.", "dev.closewait.core.", "dev.closewait.jdk.", "dev.closewait.instrument.",
            "dev.closewait.agent.", "dev.closewait.report.", "dev.closewait.shaded."};
    private static final String[] JDK_INTERNAL_PREFIXES = {"sun.", "jdk.internal.", "com.sun."};

    private StackFrames() {
    }

    public static List<String> of(Throwable captured, int depth) {
        if (captured == null) {
            return List.of();
        }
        StackTraceElement[] frames = captured.getStackTrace();
        int first = 0;
        while (first < frames.length && startsWithAny(frames[first].getClassName(), AGENT_PREFIXES)) {
            first++;
        }
        while (first < frames.length && startsWithAny(frames[first].getClassName(), JDK_INTERNAL_PREFIXES)) {
            first++;
        }
        if (first == frames.length) {
            first = 0; // all plumbing: better to show it than nothing
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

    /** True when any frame of the stack belongs to a class under one of the prefixes. */
    public static boolean mentions(Throwable captured, List<String> prefixes) {
        if (captured == null) {
            return false;
        }
        for (StackTraceElement frame : captured.getStackTrace()) {
            for (String prefix : prefixes) {
                if (frame.getClassName().startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
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
