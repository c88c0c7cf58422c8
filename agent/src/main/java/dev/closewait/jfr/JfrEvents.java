package dev.closewait.jfr;

import dev.closewait.report.ReportSink;
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
    public static ReportSink sink(int stackDepth, Sites sites) {
        return available() ? new Lazy(stackDepth, sites) : null;
    }

    private static final class Lazy implements ReportSink {
        private final int stackDepth;
        private final Sites sites;
        private ReportSink sink; // detector thread only

        Lazy(int stackDepth, Sites sites) {
            this.stackDepth = stackDepth;
            this.sites = sites;
        }

        @Override
        public void leak(dev.closewait.core.Leak leak) {
            sink().leak(leak);
        }

        @Override
        public void outcome(dev.closewait.core.LeakOutcome outcome) {
            sink().outcome(outcome);
        }

        private ReportSink sink() {
            if (sink == null) {
                try {
                    // By name, so that loading this class never loads JfrSink and the jdk.jfr types it names.
                    sink = (ReportSink) Class.forName(JfrEvents.class.getPackageName() + ".JfrSink", true,
                            JfrEvents.class.getClassLoader()).getConstructor(int.class, Sites.class).newInstance(stackDepth, sites);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot load the JFR events: " + e, e);
                }
            }
            return sink;
        }
    }
}
