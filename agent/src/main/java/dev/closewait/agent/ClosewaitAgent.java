package dev.closewait.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point for {@code -javaagent:} and for attaching to a running JVM. Does as little as possible and never lets
 * anything escape into the host: a failing agent prints one line and the application runs on without it.
 *
 * <p>This class must not touch the bootstrap bridge's types: they become loadable only once
 * {@link BootstrapJar#appendTo} has run.
 */
public final class ClosewaitAgent {

    private static final String INSTALLED_PROPERTY = AgentProperties.INSTALLED;

    private ClosewaitAgent() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, false);
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, true);
    }

    private static synchronized boolean claimInstallation() {
        if (System.getProperty(INSTALLED_PROPERTY) != null) {
            return false;
        }
        System.setProperty(INSTALLED_PROPERTY, "true");
        return true;
    }

    private static void start(String arguments, Instrumentation instrumentation, boolean attached) {
        try {
            StartGate.Verdict gate = StartGate.decide(arguments);
            if (!gate.start()) {
                if (!gate.quiet()) {
                    Verdict.publish("disabled", gate.options());
                    System.err.println(gate.reason());
                }
                return;
            }
            if (!claimInstallation()) {
                System.err.println("closewait: the agent is already installed in this JVM; this second load is ignored.");
                return;
            }
            StartupTimer.begin();
            BootstrapJar.appendTo(instrumentation);
            StartupTimer.step("bootstrap-jar");
            AgentInstaller.install(gate.options(), instrumentation, attached);
            StartupTimer.print();
        } catch (Throwable t) {
            try {
                Verdict.publish("failed", null);
                if (AgentInstaller.undoPartialStart()) {
                    System.clearProperty(INSTALLED_PROPERTY); // nothing instrumented: a later attach may try again
                }
                System.err.println("closewait: the agent could not start and is disabled; the application is not "
                        + "affected: " + t);
            } catch (Throwable ignored) {
                // nothing left to try
            }
        }
    }
}
