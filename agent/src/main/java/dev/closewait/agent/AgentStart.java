package dev.closewait.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry inside its own class loader, called by {@link ClosewaitAgent} through reflection (hence public):
 * the rest of the agent is package-private to a package that, in that loader, is not the entry point's.
 */
public final class AgentStart {

    private AgentStart() {
    }

    /** Installs the agent; {@code beganNanos} is when premain or agentmain was entered. Throws if the start failed. */
    public static void install(String arguments, Instrumentation instrumentation, boolean attached, long beganNanos)
            throws Throwable {
        StartupTimer.begin(beganNanos);
        AgentInstaller.install(arguments, instrumentation, attached); // printed when closewait-start has finished
    }

    /** After a failed start: see {@link AgentInstaller#undoPartialStart}. */
    public static boolean undoPartialStart() {
        return AgentInstaller.undoPartialStart();
    }
}
