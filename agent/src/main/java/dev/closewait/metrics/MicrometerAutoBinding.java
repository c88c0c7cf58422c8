package dev.closewait.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Puts the agent's meters into the application's {@code Metrics.globalRegistry}, wherever its Micrometer was loaded:
 * looks for Micrometer in the system class loader and in the context loaders of threads that opened sockets, and for
 * each Micrometer found loads the closewait binder (a jar this agent carries) in a class loader of its own whose parent
 * is that Micrometer's loader, then binds it. The agent itself compiles against nothing of Micrometer, so every
 * version the binder works with is fine.
 *
 * <p>Runs on the detector's thread only. Each loader is searched once (what a class loader can load does not change),
 * at most {@link #MAX_BINDINGS} Micrometers are bound, once each, and loaders are remembered weakly.
 */
public final class MicrometerAutoBinding {

    static final String METRICS_CLASS = "io.micrometer.core.instrument.Metrics";
    static final String REGISTRY_CLASS = "io.micrometer.core.instrument.MeterRegistry";
    static final String BINDER_CLASS = "dev.closewait.micrometer.ClosewaitMeterBinder";
    static final String BINDER_JAR = "closewait-micrometer.jar";
    static final int MAX_BINDINGS = 4;

    private final Supplier<List<ClassLoader>> candidates;
    private final Consumer<String> say;
    // Weak keys: remembering a loader must never keep an undeployed application in memory.
    private final Map<ClassLoader, Boolean> searched = new WeakHashMap<>();
    private final Map<ClassLoader, Boolean> bound = new WeakHashMap<>();
    private Path binderJar;
    private final List<String> boundTo = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param candidates context loaders of threads that opened sockets
     * @param say        where the one line per binding (or failed binding) goes
     */
    public MicrometerAutoBinding(Supplier<List<ClassLoader>> candidates, Consumer<String> say) {
        this.candidates = candidates;
        this.say = say;
    }

    /** Binds to every Micrometer not bound yet among the loaders not searched yet. Cheap when there is none new. */
    public void bindNew() {
        List<ClassLoader> loaders = new ArrayList<>();
        loaders.add(ClassLoader.getSystemClassLoader());
        loaders.addAll(candidates.get());
        for (ClassLoader loader : loaders) {
            if (bound.size() >= MAX_BINDINGS) {
                return;
            }
            if (loader == null || searched.put(loader, Boolean.TRUE) != null) {
                continue;
            }
            Class<?> metrics = micrometerIn(loader);
            if (metrics == null || bound.put(metrics.getClassLoader(), Boolean.TRUE) != null) {
                continue;
            }
            try {
                bind(metrics);
                boundTo.add(describe(metrics.getClassLoader()).trim());
                say.accept("closewait: meters registered in Micrometer's Metrics.globalRegistry"
                        + describe(metrics.getClassLoader()) + ".");
            } catch (Throwable t) {
                Throwable cause = t instanceof InvocationTargetException target ? target.getCause() : t;
                say.accept("closewait: could not register meters in Micrometer's Metrics.globalRegistry"
                        + describe(metrics.getClassLoader()) + " (" + cause + "); the application is not affected.");
            }
        }
    }

    /** The class loaders whose Micrometer has the meters, as "(system class loader)"; read from any thread. */
    public List<String> boundTo() {
        return List.copyOf(boundTo);
    }

    private static Class<?> micrometerIn(ClassLoader loader) {
        try {
            return Class.forName(METRICS_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
    }

    private void bind(Class<?> metrics) throws Exception {
        ClassLoader micrometer = metrics.getClassLoader();
        // Parent first: an application that ships closewait-micrometer itself gets its own copy of the binder.
        URLClassLoader binderLoader = new URLClassLoader("closewait-micrometer",
                new URL[]{binderJar().toUri().toURL()}, micrometer);
        Class<?> binderClass = Class.forName(BINDER_CLASS, true, binderLoader);
        Object binder = binderClass.getConstructor().newInstance();
        Object registry = metrics.getField("globalRegistry").get(null);
        Class<?> registryClass = Class.forName(REGISTRY_CLASS, false, micrometer);
        binderClass.getMethod("bindTo", registryClass).invoke(binder, registry);
    }

    /** The embedded binder jar, copied to a temporary file the first time it is needed. */
    private Path binderJar() throws IOException {
        if (binderJar == null) {
            Path jar = Files.createTempFile("closewait-micrometer-" + ProcessHandle.current().pid() + "-", ".jar");
            jar.toFile().deleteOnExit();
            try (InputStream embedded = MicrometerAutoBinding.class.getResourceAsStream(BINDER_JAR)) {
                if (embedded == null) {
                    throw new IOException("the agent jar lacks its " + BINDER_JAR + " resource");
                }
                Files.copy(embedded, jar, StandardCopyOption.REPLACE_EXISTING);
            }
            binderJar = jar;
        }
        return binderJar;
    }

    private static String describe(ClassLoader loader) {
        if (loader == ClassLoader.getSystemClassLoader()) {
            return " (system class loader)";
        }
        String name = loader == null ? "bootstrap" : loader.getName() != null ? loader.getName()
                : loader.getClass().getName();
        return " (class loader " + name + ")";
    }
}
