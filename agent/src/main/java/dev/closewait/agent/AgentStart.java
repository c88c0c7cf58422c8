package dev.closewait.agent;

import dev.closewait.config.ParsedOptions;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry inside its own class loader, called by {@link ClosewaitAgent} through reflection (hence public):
 * the rest of the agent is package-private to a package that, in that loader, is not the entry point's.
 */
public final class AgentStart {

    private AgentStart() {
    }

    /**
     * Installs the agent; {@code beganNanos} is when premain or agentmain was entered. Returns false, having installed
     * nothing and said so in one line, when {@code enabled=false}; throws if the start failed. The options are read
     * here only when some source could turn the agent off ({@link StartGate#couldStayOut}), else once the hooks
     * are in place.
     */
    public static boolean install(String arguments, Instrumentation instrumentation, boolean attached,
                                  long beganNanos) throws Throwable {
        StartupTimer.begin(beganNanos);
        ParsedOptions early = null;
        if (StartGate.couldStayOut(arguments)) {
            StartGate.Verdict gate = StartGate.decide(arguments);
            if (!gate.start()) {
                Verdict.publish("disabled", gate.options());
                System.err.println(gate.reason());
                return false;
            }
            early = gate.options();
        }
        try {
            AgentInstaller.install(arguments, early, instrumentation, attached);
        } catch (Exception | Error e) {
            Verdict.publish("failed", null);
            throw e;
        }
        return true;
    }

    /** After a failed start: see {@link AgentInstaller#undoPartialStart}. */
    public static boolean undoPartialStart() {
        return AgentInstaller.undoPartialStart();
    }
}
