package dev.closewait.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The class loader the agent runs in: the agent jar again, with the platform loader as parent, so the agent's classes
 * (and the JDK internals opened to them, see {@code ModuleAccess}) sit in a module of their own instead of the
 * application class path's. One exception, delegated to the loader that loaded the agent's entry point (where the
 * JVM put the agent jar): {@code MetricsBridge}, the one class that Micrometer binders loaded next to the
 * application's Micrometer must share with the agent.
 *
 * <p>Reads the jar itself rather than being a {@code URLClassLoader}: that one's permission checks load and parse
 * the JDK's security properties, about 13 ms of a loaded JVM's start-up.
 */
final class AgentClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String SHARED = "dev.closewait.bootstrap.MetricsBridge";

    private final JarFile jar;
    private final String jarUrl;
    private final ClassLoader entryLoader;

    /** Over the agent jar at {@code jarFile}; {@code IOException} if it cannot be opened. */
    AgentClassLoader(File jarFile, ClassLoader entryLoader) throws IOException {
        super("closewait", ClassLoader.getPlatformClassLoader());
        this.jar = new JarFile(jarFile, false);
        this.jarUrl = jarFile.toURI().toString();
        this.entryLoader = entryLoader;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SHARED) && (name.length() == SHARED.length() || name.charAt(SHARED.length()) == '$')) {
            return Class.forName(name, false, entryLoader);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarEntry entry = jar.getJarEntry(name.replace('.', '/').concat(".class"));
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        try (InputStream in = jar.getInputStream(entry)) {
            byte[] classFile = in.readAllBytes();
            return defineClass(name, classFile, 0, classFile.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    @Override
    protected URL findResource(String name) {
        if (jar.getJarEntry(name) == null) {
            return null;
        }
        try {
            return new URL("jar:" + jarUrl + "!/" + name);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        JarEntry entry = jar.getJarEntry(name);
        if (entry == null) {
            return super.getResourceAsStream(name);
        }
        try {
            return jar.getInputStream(entry);
        } catch (IOException e) {
            return null;
        }
    }
}
