package dev.closewait.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.AllPermission;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.Permissions;
import java.security.ProtectionDomain;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The class loader the agent runs in: the agent jar again, with the platform loader as parent, so the agent's classes
 * (and the JDK internals opened to them, see {@code ModuleAccess}) sit in a module of their own instead of the
 * application class path's. One exception, delegated to the loader that loaded the agent's entry point (where the
 * JVM put the agent jar): {@code MetricsBridge}, the one class that Micrometer binders loaded next to the
 * application's Micrometer must share with the agent.
 *
 * <p>Reads the jar itself rather than being a {@code URLClassLoader}: that one's permission checks load and parse
 * the JDK's security properties, about 13 ms of a loaded JVM's start-up.
 *
 * <p>It is also how the entry point reaches the agent without core reflection: {@code AgentStart}'s static
 * initializer hands this loader an instance typed by a JDK interface ({@link #accept}). Since JDK 18 (JEP 416) a
 * reflective call spins method handles, and the one {@code Method.invoke} this replaced took 22 ms of a JDK 25
 * start-up (a class-load log with uptime decorations, {@code -Xlog:class+load:file=…:uptimenanos}).
 */
final class AgentClassLoader extends ClassLoader implements Consumer<Function<Object[], Object>> {

    static {
        registerAsParallelCapable();
    }

    private static final String SHARED = "dev.closewait.bootstrap.MetricsBridge";

    private final JarFile jar;
    private final String jarUrl;
    private final ClassLoader entryLoader;
    private final ProtectionDomain domain;
    private volatile Function<Object[], Object> entry;

    /** Over the agent jar at {@code jarFile}; {@code IOException} if it cannot be opened. */
    AgentClassLoader(File jarFile, ClassLoader entryLoader) throws IOException {
        super("closewait", ClassLoader.getPlatformClassLoader());
        this.jar = new JarFile(jarFile, false);
        this.jarUrl = jarFile.toURI().toString();
        this.entryLoader = entryLoader;
        this.domain = allPermissions(jarFile);
    }

    /**
     * The agent's classes hold every permission, whatever the policy says: an application may install a security
     * manager (JDK 17 to 23) while the agent runs, and the agent's threads then run privileged (see
     * {@code AgentThread}). Static permissions: the policy is never consulted for them.
     */
    private static ProtectionDomain allPermissions(File jarFile) throws MalformedURLException {
        Permissions all = new Permissions();
        all.add(new AllPermission());
        return new ProtectionDomain(new CodeSource(jarFile.toURI().toURL(), (CodeSigner[]) null), all);
    }

    /** Called once, by {@code AgentStart}'s static initializer, with the agent's entry (see the class comment). */
    @Override
    public void accept(Function<Object[], Object> entry) {
        this.entry = entry;
    }

    /** The entry {@code AgentStart} handed over when it was initialized; null before that. */
    Function<Object[], Object> entry() {
        return entry;
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
            definePackageOf(name);
            return defineClass(name, classFile, 0, classFile.length, domain);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    /**
     * The package with the jar manifest's title and version, as a {@code URLClassLoader} would define it: the agent
     * names its own version through {@code Package.getImplementationVersion()}.
     */
    private void definePackageOf(String className) throws IOException {
        int dot = className.lastIndexOf('.');
        if (dot < 0) {
            return;
        }
        String name = className.substring(0, dot);
        if (getDefinedPackage(name) != null) {
            return;
        }
        Manifest manifest = jar.getManifest();
        Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
        try {
            definePackage(name, main.getValue(Attributes.Name.SPECIFICATION_TITLE),
                    main.getValue(Attributes.Name.SPECIFICATION_VERSION),
                    main.getValue(Attributes.Name.SPECIFICATION_VENDOR),
                    main.getValue(Attributes.Name.IMPLEMENTATION_TITLE),
                    main.getValue(Attributes.Name.IMPLEMENTATION_VERSION),
                    main.getValue(Attributes.Name.IMPLEMENTATION_VENDOR), null);
        } catch (IllegalArgumentException definedMeanwhile) {
            // another thread defined it first: the same values
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
