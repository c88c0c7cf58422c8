package dev.closewait.agent;

/**
 * The double-install guard: at most one agent per JVM, whatever the host does. It lives in a static field of this
 * class, which the system class loader defines once per JVM (every load of the agent, by {@code -javaagent:} or by
 * attach, resolves {@code ClosewaitAgent} and this class through that loader, and finds the ones already loaded), so
 * the application cannot clear it; a system property could be, by {@code System.setProperties} or
 * {@code clearProperty}. The property {@link AgentProperties#INSTALLED} is still set, for the command line to read.
 */
final class InstallGuard {

    private static boolean claimed;

    private InstallGuard() {
    }

    /** True for the first caller in this JVM, until {@link #release}; false for every later one. */
    static synchronized boolean claim() {
        if (claimed) {
            return false;
        }
        claimed = true;
        System.setProperty(AgentProperties.INSTALLED, "true");
        return true;
    }

    /** After a start that failed before anything was instrumented: a later attach may try again. */
    static synchronized void release() {
        claimed = false;
        System.clearProperty(AgentProperties.INSTALLED);
    }
}
