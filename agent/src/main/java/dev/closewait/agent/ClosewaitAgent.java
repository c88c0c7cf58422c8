package dev.closewait.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.function.Function;

/**
 * Entry point for {@code -javaagent:} and for attaching to a running JVM. Does as little as possible and never lets
 * anything escape into the host: a failing agent prints one line and the application runs on without it.
 *
 * <p>This class runs in the loader the JVM put the agent jar in (the application's class path). It starts the rest
 * of the agent in an {@link AgentClassLoader} of its own and reaches it only through the entry {@link AgentStart}
 * hands that loader (and, after a failed start, {@code AgentStart.undoPartialStart} by reflection): any other agent
 * class named here would be loaded a second time, on the application's path.
 */
public final class ClosewaitAgent {

    private static final String INSTALLED_PROPERTY = AgentProperties.INSTALLED;
    /** A compile-time constant: naming it loads no class. */
    private static final String VERDICT_PROPERTY = AgentProperties.VERDICT;
    private static final String START_CLASS = "dev.closewait.agent.AgentStart";

    /**
     * The double-install guard: at most one agent per JVM, whatever the host does. A static of this class, which the
     * JVM loads once, through the application's class loader, for every load of the agent ({@code -javaagent:} or
     * attach, any number of times: each resolves this class name there and finds the one already loaded), so the
     * application cannot clear it as it can a system property ({@code System.setProperties}). The property
     * {@link AgentProperties#INSTALLED} is still set, for the command line to read.
     */
    private static boolean claimed;

    private ClosewaitAgent() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, false);
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, true);
    }

    static synchronized boolean claimInstallation() {
        if (claimed) {
            return false;
        }
        claimed = true;
        System.setProperty(INSTALLED_PROPERTY, "true");
        return true;
    }

    /** Nothing was installed (a failed start before instrumenting, or enabled=false): a later attach may try. */
    static synchronized void releaseInstallation() {
        claimed = false;
        System.clearProperty(INSTALLED_PROPERTY);
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
            AgentClassLoader loader = new AgentClassLoader(agentJar(), ClosewaitAgent.class.getClassLoader());
            agent = Class.forName(START_CLASS, true, loader); // its static initializer hands the loader its entry
            Function<Object[], Object> entry = loader.entry();
            if (entry == null) {
                throw new IllegalStateException(START_CLASS + " handed over no entry");
            }
            Object installed = entry.apply(new Object[] {arguments, instrumentation, attached, began});
            if (installed instanceof Throwable failure) {
                failed(failure, agent);
            } else if (Boolean.FALSE.equals(installed)) {
                releaseInstallation(); // enabled=false: nothing installed, a later attach may
            }
        } catch (Throwable t) {
            failed(t, agent);
        }
    }

    /**
     * Says so first, then makes the hooks inert and, when nothing was instrumented, lets a later attach try again:
     * each step on its own, so that a failing step (the agent's classes may be what failed) cannot silence the line
     * or keep the claim.
     */
    static void failed(Throwable cause, Class<?> agent) {
        try {
            System.err.println("closewait: the agent could not start and is disabled; the application is not "
                    + "affected: " + printable(String.valueOf(cause)));
        } catch (Throwable ignored) {
            // standard error is gone: nothing to tell
        }
        try {
            System.setProperty(VERDICT_PROPERTY, "state\tfailed\n");
        } catch (Throwable ignored) {
            // the command line then finds no verdict
        }
        boolean instrumented;
        try {
            instrumented = agent != null && !(boolean) agent.getMethod("undoPartialStart").invoke(null);
        } catch (Throwable unknown) {
            instrumented = true; // not known: stay claimed, for a second agent must never instrument twice
        }
        if (!instrumented) {
            try {
                releaseInstallation();
            } catch (Throwable ignored) {
                // the claim stays: a later attach is refused, which is safe
            }
        }
    }

    /**
     * Control characters escaped, at most 1,000 characters: the failure may quote host-controlled text (a path).
     * Not SafeText: no other agent class may be named here (see the class comment).
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 1000) + 16);
        for (int i = 0; i < text.length() && out.length() < 1000; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.length() < 1000 ? out.toString() : out + "…";
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
