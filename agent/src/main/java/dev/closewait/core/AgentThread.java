package dev.closewait.core;

import dev.closewait.text.SafeText;

/**
 * The agent's own threads: daemon, named {@code closewait-…}, and never tracked by the socket hooks. Whatever escapes
 * a task (a bug, or a security manager the application installed denying the agent something) ends the thread with
 * one line on standard error, control characters escaped, never a stack trace in the host's output.
 */
public final class AgentThread extends Thread {

    private static final UncaughtExceptionHandler ONE_LINE = new OneLine();

    public AgentThread(String purpose, Runnable task) {
        super(task, "closewait-" + purpose);
        setDaemon(true);
        setUncaughtExceptionHandler(ONE_LINE);
    }

    public static boolean current() {
        return Thread.currentThread() instanceof AgentThread;
    }

    /** The line for a {@code Throwable} that escaped agent thread {@code threadName}. */
    static String stoppedLine(String threadName, Throwable cause) {
        return "closewait: internal error, thread " + SafeText.escape(threadName) + " stopped: "
                + SafeText.escape(String.valueOf(cause));
    }

    private static final class OneLine implements UncaughtExceptionHandler {
        @Override
        public void uncaughtException(Thread thread, Throwable cause) {
            try {
                System.err.println(stoppedLine(thread.getName(), cause));
            } catch (Throwable ignored) {
                // standard error is gone: nothing to tell
            }
        }
    }
}
