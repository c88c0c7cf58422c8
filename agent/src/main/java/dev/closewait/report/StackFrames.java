package dev.closewait.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a captured stack into the frames a report shows: the agent's own frames and the JDK's socket plumbing at
 * the top are dropped down to the last JDK frame before other code, which says what that code called
 * ({@code java.net.ServerSocket.accept}, {@code java.io.BufferedReader.readLine}); then at most {@code depth}
 * frames are kept. A stack of JDK code only keeps the last plumbing frame and everything under it
 * ({@code sun.nio.ch.ServerSocketChannelImpl.accept}, then {@code sun.net.httpserver.ServerImpl$Dispatcher.run}):
 * never trimmed down to {@code Thread.run}.
 */
public final class StackFrames {

    private static final String[] JDK_PREFIXES = {
            "java.", "javax.net.", "javax.security.", "sun.", "jdk.", "com.sun."};
    /** Where the JDK turns a call into socket operations: what a stack starts with, never what it is about. */
    private static final String[] SOCKET_PLUMBING = {
            "java.net.", "java.io.", "java.nio.", "sun.nio.", "javax.net.", "sun.security.ssl.", "jdk.internal.misc.",
            "jdk.internal.event.", "sun.net.www.protocol.http.HttpURLConnection$"};
    /** A run of library frames shorter than this is shown as it is. */
    static final int FOLD_AT_LEAST = 4;

    private StackFrames() {
    }

    public static List<String> of(Throwable captured, int depth) {
        StackTraceElement[] frames = elements(captured, depth);
        List<String> shown = new ArrayList<>(frames.length);
        for (StackTraceElement frame : frames) {
            shown.add(format(frame));
        }
        return shown;
    }

    /** The frames a report shows (see the class comment), at most {@code depth}. */
    public static StackTraceElement[] elements(Throwable captured, int depth) {
        if (captured == null) {
            return new StackTraceElement[0];
        }
        StackTraceElement[] frames = captured.getStackTrace();
        int first = Sites.firstNonAgent(frames);
        int other = first;
        while (other < frames.length && startsWithAny(frames[other].getClassName(), JDK_PREFIXES)) {
            other++;
        }
        if (other < frames.length) {
            first = Math.max(first, other - 1);
        } else {
            int pastPlumbing = first;
            while (pastPlumbing < frames.length && isSocketPlumbing(frames[pastPlumbing].getClassName())) {
                pastPlumbing++;
            }
            if (pastPlumbing < frames.length) {
                first = Math.max(first, pastPlumbing - 1);
            } else if (first < frames.length) {
                first = frames.length - 1; // all plumbing: its outermost frame
            }
        }
        return Arrays.copyOfRange(frames, first, Math.min(frames.length, first + Math.max(0, depth)));
    }

    /**
     * The text form of a stack: {@link #elements}, each as {@code at ...}, with runs of at least
     * {@value #FOLD_AT_LEAST} library or JDK frames after the first application frame folded into one line
     * ({@code ... 31 frames of org.springframework, org.apache.catalina ...}), when the run has library frames.
     */
    public static List<String> textLines(Throwable captured, int depth, Sites sites) {
        StackTraceElement[] frames = elements(captured, depth);
        List<String> lines = new ArrayList<>(frames.length);
        boolean pastApplication = false;
        int i = 0;
        while (i < frames.length) {
            String className = frames[i].getClassName();
            if (sites.isApplication(className)) {
                pastApplication = true;
                lines.add("at " + format(frames[i++]));
                continue;
            }
            int end = i;
            Set<String> libraries = new LinkedHashSet<>();
            while (end < frames.length && !sites.isApplication(frames[end].getClassName())) {
                String library = sites.library(frames[end].getClassName());
                if (library != null) {
                    libraries.add(library);
                }
                end++;
            }
            if (pastApplication && end - i >= FOLD_AT_LEAST && !libraries.isEmpty()) {
                lines.add("... " + (end - i) + " frames of " + String.join(", ", libraries) + " ...");
            } else {
                for (int j = i; j < end; j++) {
                    lines.add("at " + format(frames[j]));
                }
            }
            i = end;
        }
        return lines;
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
        for (int i = Sites.firstNonAgent(frames); i < frames.length; i++) {
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

    static boolean isSocketPlumbing(String className) {
        return startsWithAny(className, SOCKET_PLUMBING);
    }

    static boolean underPrefix(String className, String prefix) {
        if (!className.startsWith(prefix)) {
            return false;
        }
        if (className.length() == prefix.length() || prefix.endsWith(".")) {
            return true;
        }
        char next = className.charAt(prefix.length());
        return next == '.' || next == '$';
    }

    static boolean startsWithAny(String className, String[] prefixes) {
        for (String prefix : prefixes) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
