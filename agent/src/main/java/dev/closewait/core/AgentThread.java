package dev.closewait.core;

import dev.closewait.text.SafeText;

import java.security.AccessController;
import java.security.PrivilegedAction;

/**
 * The agent's own threads: daemon, named {@code closewait-…}, and never tracked by the socket hooks. Whatever escapes
 * a task (a bug, or a security manager the application installed denying the agent something) ends the thread with
 * one line on standard error, control characters escaped, never a stack trace in the host's output.
 *
 * <p>Each runs its task privileged: if the application installs a security manager (JDK 17 to 23), the agent's work
 * is checked against the agent's own classes, which hold every permission (the agent's class loader gives them
 * that), not against the code that happened to start the thread (the agent's entry point, on the application's
 * class path, which the policy may grant nothing).
 */
public final class AgentThread extends Thread {

    private static final UncaughtExceptionHandler ONE_LINE = new OneLine();

    public AgentThread(String purpose, Runnable task) {
        super(task, "closewait-" + purpose);
        setDaemon(true);
        setUncaughtExceptionHandler(ONE_LINE);
    }

    @Override
    @SuppressWarnings("removal") // AccessController: still what a security manager checks, on JDK 17 to 23
    public void run() {
        AccessController.doPrivileged(new Privileged(this));
    }

    private void runTask() {
        super.run();
    }

    public static boolean current() {
        return Thread.currentThread() instanceof AgentThread;
    }

    /** The line for a {@code Throwable} that escaped agent thread {@code threadName}. */
    static String stoppedLine(String threadName, Throwable cause) {
        return "closewait: internal error, thread " + SafeText.escape(threadName) + " stopped: "
                + SafeText.escape(String.valueOf(cause));
    }

    private static final class Privileged implements PrivilegedAction<Void> {
        private final AgentThread thread;

        Privileged(AgentThread thread) {
            this.thread = thread;
        }

        @Override
        public Void run() {
            thread.runTask();
            return null;
        }
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
