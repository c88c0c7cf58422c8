package dev.closewait.jfr;

import dev.closewait.core.LeakListener;
import dev.closewait.report.Sites;

/**
 * The JFR sink where the runtime has JFR: a runtime image without the {@code jdk.jfr} module (jlink, or
 * {@code --limit-modules}) gets none, and no class that names a {@code jdk.jfr} type is ever loaded there. This
 * class names none itself.
 */
public final class JfrEvents {

    private JfrEvents() {
    }

    /** Whether this runtime has the {@code jdk.jfr} module. */
    public static boolean available() {
        return ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    }

    /**
     * A sink that loads the JFR sink with the first event, on the detector thread (never at start: loading JFR's
     * event machinery costs start-up time), or null without JFR.
     */
    public static LeakListener sink(int stackDepth, Sites sites) {
        return available() ? new Lazy(stackDepth, sites) : null;
    }

    private static final class Lazy implements LeakListener {
        private final int stackDepth;
        private final Sites sites;
        private LeakListener sink; // detector thread only

        Lazy(int stackDepth, Sites sites) {
            this.stackDepth = stackDepth;
            this.sites = sites;
        }

        @Override
        public void leakDetected(dev.closewait.core.Leak leak) {
            sink().leakDetected(leak);
        }

        @Override
        public void leakResolved(dev.closewait.core.LeakOutcome outcome) {
            sink().leakResolved(outcome);
        }

        private LeakListener sink() {
            if (sink == null) {
                try {
                    // By name, so that loading this class never loads JfrSink and the jdk.jfr types it names.
                    sink = (LeakListener) Class.forName(JfrEvents.class.getPackageName() + ".JfrSink", true,
                            JfrEvents.class.getClassLoader()).getConstructor(int.class, Sites.class).newInstance(stackDepth, sites);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot load the JFR events: " + e, e);
                }
            }
            return sink;
        }
    }
}
