package dev.closewait.micrometer;

import dev.closewait.bootstrap.MetricsBridge;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.List;

/**
 * The closewait agent's meters ({@code closewait.leaks}, {@code closewait.sockets.leaked}, …) in a Micrometer
 * registry: {@code new ClosewaitMeterBinder().bindTo(registry)}. Meters the agent adds later (a new leak kind or
 * call site) follow on their own. Without the agent in the JVM it registers nothing; it never throws.
 *
 * <p>The agent binds this to {@code Metrics.globalRegistry} by itself; bind it explicitly for any other registry.
 */
public class ClosewaitMeterBinder implements MeterBinder {

    private final Iterable<Tag> tags;

    public ClosewaitMeterBinder() {
        this(Tags.empty());
    }

    /** With {@code tags} added to every meter. */
    public ClosewaitMeterBinder(Iterable<Tag> tags) {
        this.tags = tags;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        try {
            if (!MetricsBridge.available()) {
                return;
            }
            Binding binding = new Binding(registry, tags);
            binding.run();
            MetricsBridge.onNewMeters(binding);
        } catch (LinkageError agentAbsent) {
            // No bridge on the bootstrap class path: no agent, nothing to bind.
        }
    }

    /**
     * The agent's meters in one registry. The meters' functions hold it strongly: Micrometer keeps the object
     * passed to a gauge or function counter only weakly, and nothing else refers to this, so without that the
     * meters would read NaN after the next garbage collection. The bridge holds it only weakly in turn, so a
     * registry dropped by the application is collected with its meters.
     */
    private static final class Binding implements Runnable {

        private final MeterRegistry registry;
        private final Iterable<Tag> tags;
        private int registered;

        Binding(MeterRegistry registry, Iterable<Tag> tags) {
            this.registry = registry;
            this.tags = tags;
        }

        /** Registers the meters the agent added since the last call. */
        @Override
        public synchronized void run() {
            List<List<String>> meters = MetricsBridge.meters(registered);
            for (List<String> meter : meters) {
                int id = registered++;
                try {
                    register(id, meter);
                } catch (RuntimeException rejected) {
                    // The registry refused it (say, the application has a meter of that name with other tags);
                    // the rest still go in.
                }
            }
        }

        private void register(int id, List<String> meter) {
            String name = meter.get(0);
            String description = meter.get(2);
            String baseUnit = meter.get(3);
            Tags meterTags = Tags.of(tags);
            for (int i = 4; i + 1 < meter.size(); i += 2) {
                meterTags = meterTags.and(meter.get(i), meter.get(i + 1));
            }
            Binding self = this;
            if (meter.get(1).equals("counter")) {
                FunctionCounter.builder(name, this, ignored -> self.read(id))
                        .description(description).baseUnit(baseUnit).tags(meterTags).register(registry);
            } else {
                Gauge.builder(name, this, ignored -> self.read(id))
                        .description(description).baseUnit(baseUnit).tags(meterTags).register(registry);
            }
        }

        double read(int id) {
            return MetricsBridge.read(id);
        }
    }
}
