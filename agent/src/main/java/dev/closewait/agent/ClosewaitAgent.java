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
    /** A compile-time constant: naming it loads no class. */
    private static final String VERDICT_PROPERTY = AgentProperties.VERDICT;
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
            if (isJdkTool(System.getProperty("jdk.module.main"))
                    || isOwnCommandLine(System.getProperty("sun.java.command"))) {
                return; // picked up through JAVA_TOOL_OPTIONS by jcmd, jps, jfr... or by closewait's own command line
            }
            if (!claimInstallation()) {
                System.err.println("closewait: the agent is already installed in this JVM; this second load is ignored.");
                return;
            }
            System.clearProperty(VERDICT_PROPERTY); // an earlier attempt's; the attach command waits for this one's
            agent = Class.forName(START_CLASS, true,
                    new AgentClassLoader(agentJar(), ClosewaitAgent.class.getClassLoader()));
            Object installed = agent.getMethod("install", String.class, Instrumentation.class, boolean.class,
                    long.class).invoke(null, arguments, instrumentation, attached, began);
            if (Boolean.FALSE.equals(installed)) {
                System.clearProperty(INSTALLED_PROPERTY); // enabled=false: nothing installed, a later attach may
            }
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException thrown ? thrown.getCause() : t;
            try {
                if (agent == null || (boolean) agent.getMethod("undoPartialStart").invoke(null)) {
                    System.clearProperty(INSTALLED_PROPERTY); // nothing instrumented: a later attach may try again
                }
                System.err.println("closewait: the agent could not start and is disabled; the application is not "
                        + "affected: " + cause);
                System.setProperty(VERDICT_PROPERTY, "state\tfailed\n");
            } catch (Throwable ignored) {
                // nothing left to try
            }
        }
    }

    /**
     * The JDK's launchers for its tools run a main class in one of its own modules: {@code jdk.jcmd} (jcmd, jps,
     * jstack, jinfo, jmap, jstat), {@code jdk.jfr}, {@code jdk.jconsole}, {@code jdk.compiler}, {@code jdk.jshell}...
     * An application's main module is never named {@code jdk.*} or {@code java.*} (those names are reserved).
     */
    static boolean isJdkTool(String mainModule) {
        return mainModule != null && (mainModule.startsWith("jdk.") || mainModule.startsWith("java."));
    }

    /** {@code java -jar closewait-agent.jar list}, or its main class run from a class path. */
    static boolean isOwnCommandLine(String command) {
        if (command == null || command.isBlank()) {
            return false;
        }
        String first = command.strip().split(" ", 2)[0];
        if (first.equals("dev.closewait.cli.ClosewaitCli")) {
            return true;
        }
        String name = new java.io.File(first).getName();
        return name.startsWith("closewait-agent") && name.endsWith(".jar");
    }

    private static File agentJar() throws URISyntaxException {
        CodeSource source = ClosewaitAgent.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot tell where the agent jar is");
        }
        return new File(source.getLocation().toURI());
    }
}
