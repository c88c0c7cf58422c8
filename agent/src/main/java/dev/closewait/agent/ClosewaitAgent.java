package dev.closewait.agent;

import dev.closewait.text.SafeText;

import java.lang.instrument.Instrumentation;

/**
 * Entry point for {@code -javaagent:} and for attaching to a running JVM. Does as little as possible and never lets
 * anything escape into the host: a failing agent prints one line and the application runs on without it.
 *
 * <p>This class must not touch the bootstrap bridge's types, nor link a class that does, before
 * {@link BootstrapJar#appendTo} has run: until then they cannot be loaded.
 */
public final class ClosewaitAgent {

    private ClosewaitAgent() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, false);
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, true);
    }

    private static void start(String arguments, Instrumentation instrumentation, boolean attached) {
        boolean bridge = false;
        try {
            if (!InstallGuard.claim()) {
                System.err.println("closewait: the agent is already installed in this JVM; this second load is ignored.");
                return;
            }
            StartupTimer.begin();
            BootstrapJar.appendTo(instrumentation);
            bridge = true;
            StartupTimer.step("bootstrap-jar");
            AgentInstaller.install(arguments, instrumentation, attached);
            StartupTimer.print();
        } catch (Throwable t) {
            failed(t, bridge);
        }
    }

    /**
     * Says so first (each step on its own, so that a failing step cannot silence the others), then makes the hooks
     * inert and, when nothing was instrumented, lets a later attach try again.
     */
    private static void failed(Throwable failure, boolean bridge) {
        try {
            System.err.println("closewait: the agent could not start and is disabled; the application is not "
                    + "affected: " + SafeText.bounded(String.valueOf(failure), 1000));
        } catch (Throwable ignored) {
            // standard error is gone: nothing to tell
        }
        boolean instrumented = false;
        if (bridge) {
            // Only with the bridge in place: AgentInstaller links the bridge's types, which are missing otherwise.
            try {
                instrumented = !AgentInstaller.undoPartialStart();
            } catch (Throwable undoFailed) {
                instrumented = true; // not known: stay claimed, a second agent must not instrument twice
            }
        }
        if (!instrumented) {
            try {
                InstallGuard.release();
            } catch (Throwable ignored) {
                // the claim stays: a later attach is refused, which is safe
            }
        }
    }
}
