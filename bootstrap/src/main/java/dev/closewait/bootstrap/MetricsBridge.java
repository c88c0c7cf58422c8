package dev.closewait.bootstrap;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The agent's meters, readable from any class loader: a Micrometer binder loaded next to the application's Micrometer
 * lists and reads them here. On the bootstrap path, so JDK types only; every call is guarded and never throws.
 */
public final class MetricsBridge {

    /** What the agent provides. Meters are numbered from 0 in the order they appear; none ever goes away. */
    public interface Source {

        /**
         * The meters numbered {@code first} and up, each as {@code [name, "counter" or "gauge", description,
         * base unit, tag key, tag value, …]}.
         */
        List<List<String>> meters(int first);

        double read(int meter);
    }

    private static volatile Source source;
    // Weak: a listener belongs to a binding in some application's class loader, which this must never pin.
    private static final List<WeakReference<Runnable>> listeners = new CopyOnWriteArrayList<>();

    private MetricsBridge() {
    }

    public static void install(Source newSource) {
        source = newSource;
    }

    public static boolean available() {
        return source != null;
    }

    /** See {@link Source#meters}; empty when there is no agent or it fails. */
    public static List<List<String>> meters(int first) {
        Source current = source;
        if (current == null) {
            return List.of();
        }
        try {
            return current.meters(first);
        } catch (Throwable t) {
            return List.of();
        }
    }

    /** The meter's value, or NaN when there is no agent or it fails. */
    public static double read(int meter) {
        Source current = source;
        if (current == null) {
            return Double.NaN;
        }
        try {
            return current.read(meter);
        } catch (Throwable t) {
            return Double.NaN;
        }
    }

    /** Runs the listener whenever meters were added, as long as something else keeps it reachable. */
    public static void onNewMeters(Runnable listener) {
        listeners.removeIf(known -> known.get() == null);
        listeners.add(new WeakReference<>(listener));
    }

    /** Called by the agent after adding meters: tells every listener still alive. */
    public static void newMeters() {
        for (WeakReference<Runnable> known : listeners) {
            Runnable listener = known.get();
            if (listener == null) {
                listeners.remove(known);
                continue;
            }
            try {
                listener.run();
            } catch (Throwable ignored) {
                // One failing binding must not keep the others from hearing of new meters.
            }
        }
    }
}
