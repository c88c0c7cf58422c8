package dev.closewait.agent;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * The class loader the agent runs in: the agent jar again, with the platform loader as parent, so the agent's classes
 * (and the JDK internals opened to them, see {@code ModuleAccess}) sit in a module of their own instead of the
 * application class path's. One exception, delegated to the loader that loaded the agent's entry point (where the
 * JVM put the agent jar): {@code MetricsBridge}, the one class that Micrometer binders loaded next to the
 * application's Micrometer must share with the agent.
 */
final class AgentClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String SHARED = "dev.closewait.bootstrap.MetricsBridge";

    private final ClassLoader entryLoader;

    AgentClassLoader(URL agentJar, ClassLoader entryLoader) {
        super("closewait", new URL[] {agentJar}, ClassLoader.getPlatformClassLoader());
        this.entryLoader = entryLoader;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SHARED) && (name.length() == SHARED.length() || name.charAt(SHARED.length()) == '$')) {
            return Class.forName(name, false, entryLoader);
        }
        return super.loadClass(name, resolve);
    }
}
