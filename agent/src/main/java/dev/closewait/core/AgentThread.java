package dev.closewait.core;

/** The agent's own threads: daemon, named {@code closewait-…}, and never tracked by the socket hooks. */
public final class AgentThread extends Thread {

    public AgentThread(String purpose, Runnable task) {
        super(task, "closewait-" + purpose);
        setDaemon(true);
    }

    public static boolean current() {
        return Thread.currentThread() instanceof AgentThread;
    }
}
