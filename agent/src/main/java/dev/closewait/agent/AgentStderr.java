package dev.closewait.agent;

import java.io.PrintStream;

/**
 * Where the agent's own lines go (the start line, option problems, a failed start, the metrics endpoint's address):
 * the {@code System.err} the JVM had when the agent was loaded, taken in {@code premain} (or {@code agentmain})
 * before the application's {@code main} could replace it. An application that swaps in its own stream early (a
 * logging bridge, or one that throws or blocks) then neither silences the start line nor, by throwing from it,
 * stops the agent's start: before 2026-12-01 a throwing {@code System.err} left the agent without threads, reports
 * or a word (a fresh-clone review). Reports on standard error follow the application's current stream, and fall
 * back to this one when it throws ({@code StderrLog}).
 */
final class AgentStderr {

    private static volatile PrintStream stream = System.err;

    private AgentStderr() {
    }

    /** Takes the current {@code System.err} as the agent's: once, in premain or agentmain, before anything prints. */
    static void capture() {
        stream = System.err;
    }

    /** The stream taken (see the class comment). */
    static PrintStream stream() {
        return stream;
    }

    /** Prints one line; never throws (a stream that fails loses the line, nothing more). */
    static void println(String line) {
        try {
            stream.println(line);
        } catch (Throwable ignored) {
            // standard error is gone or broken: nothing to tell
        }
    }
}
