package dev.closewait.core;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Class loaders seen as context loaders of threads that opened sockets, remembered weakly and few. They are where
 * the application's logging lives when it is not on the system class path (Spring Boot jars, servlet containers).
 */
public final class ClassLoaderCandidates {

    private static final int MAX = 8;

    private final List<WeakReference<ClassLoader>> loaders = new CopyOnWriteArrayList<>();
    // Weak, like the list: remembering a loader must never keep an undeployed application in memory.
    private volatile WeakReference<ClassLoader> last = new WeakReference<>(null);

    /** Cheap when the loader is the one seen last, which is nearly always. */
    public void note(ClassLoader loader) {
        if (loader == null || loader == last.get()) {
            return;
        }
        last = new WeakReference<>(loader);
        for (WeakReference<ClassLoader> known : loaders) {
            if (known.get() == loader) {
                return;
            }
        }
        // A loop, not removeIf with a lambda: this runs on the thread that opens the application's first socket,
        // where linking a lambda spins a class and method handles (docs/performance.md, "Start-up CPU").
        for (WeakReference<ClassLoader> known : loaders) {
            if (known.get() == null) {
                loaders.remove(known);
            }
        }
        if (loaders.size() < MAX) {
            loaders.add(new WeakReference<>(loader));
        }
    }

    public List<ClassLoader> candidates() {
        List<ClassLoader> alive = new ArrayList<>();
        for (WeakReference<ClassLoader> known : loaders) {
            ClassLoader loader = known.get();
            if (loader != null) {
                alive.add(loader);
            }
        }
        return alive;
    }
}
