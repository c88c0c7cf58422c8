package dev.closewait.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.security.CodeSource;

/**
 * Entry point for {@code -javaagent:} and for attaching to a running JVM. Does as little as possible and never lets
 * anything escape into the host: a failing agent prints one line and the application runs on without it.
 *
 * <p>This class runs in the loader the JVM put the agent jar in (the application's class path). It starts the rest
 * of the agent in an {@link AgentClassLoader} of its own and reaches it only through {@link AgentStart}'s public
 * methods, by reflection: any other agent class named here would be loaded a second time, on the application's path.
 */
public final class ClosewaitAgent {

    private static final String INSTALLED_PROPERTY = AgentProperties.INSTALLED;
    private static final String START_CLASS = "dev.closewait.agent.AgentStart";

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
        long began = System.nanoTime();
        Class<?> agent = null;
        try {
            if (!claimInstallation()) {
                System.err.println("closewait: the agent is already installed in this JVM; this second load is ignored.");
                return;
            }
            agent = Class.forName(START_CLASS, true,
                    new AgentClassLoader(agentJar(), ClosewaitAgent.class.getClassLoader()));
            agent.getMethod("install", String.class, Instrumentation.class, boolean.class, long.class)
                    .invoke(null, arguments, instrumentation, attached, began);
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException thrown ? thrown.getCause() : t;
            try {
                if (agent == null || (boolean) agent.getMethod("undoPartialStart").invoke(null)) {
                    System.clearProperty(INSTALLED_PROPERTY); // nothing instrumented: a later attach may try again
                }
                System.err.println("closewait: the agent could not start and is disabled; the application is not "
                        + "affected: " + cause);
            } catch (Throwable ignored) {
                // nothing left to try
            }
        }
    }

    private static File agentJar() throws URISyntaxException {
        CodeSource source = ClosewaitAgent.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot tell where the agent jar is");
        }
        return new File(source.getLocation().toURI());
    }
}
