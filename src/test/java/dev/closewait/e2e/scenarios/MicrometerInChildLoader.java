package dev.closewait.e2e.scenarios;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container-like launcher: Micrometer is not on the class path, only in a child class loader named "webapp"
 * (child-first for the application's own package, as servlet containers are), which is also the context loader of
 * the application's threads. Runs {@code micrometer.MicrometerLeakApp} in it. Argument: the Micrometer jars,
 * separated by the path separator.
 */
public final class MicrometerInChildLoader {

    private static final String APP = "dev.closewait.e2e.scenarios.micrometer.MicrometerLeakApp";
    private static final String APP_PACKAGE = "dev.closewait.e2e.scenarios.micrometer.";

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("io.micrometer.core.instrument.Metrics", false, ClassLoader.getSystemClassLoader());
            Scenario.fail("Micrometer must not be on the class path");
        } catch (ClassNotFoundException expected) {
            // as in a container
        }
        List<URL> urls = new ArrayList<>();
        for (String jar : args[0].split(File.pathSeparator)) {
            urls.add(Path.of(jar).toUri().toURL());
        }
        urls.add(MicrometerInChildLoader.class.getProtectionDomain().getCodeSource().getLocation());
        ClassLoader webapp = new ChildFirst(urls.toArray(URL[]::new), MicrometerInChildLoader.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(webapp);
        Class<?> app = Class.forName(APP, true, webapp);
        if (app.getClassLoader() != webapp) {
            Scenario.fail("the application must be loaded by the child loader");
        }
        app.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
    }

    /** Loads the application's package itself; everything else parent first. */
    private static final class ChildFirst extends URLClassLoader {

        ChildFirst(URL[] urls, ClassLoader parent) {
            super("webapp", urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(APP_PACKAGE)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    loaded = findClass(name);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
