package dev.closewait.micrometer;

import dev.closewait.bootstrap.MetricsBridge;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClosewaitMeterBinderTest {

    /** An agent whose meters and values the test sets. */
    private static final class FakeSource implements MetricsBridge.Source {
        final List<List<String>> meters = new CopyOnWriteArrayList<>();
        final List<Double> values = new CopyOnWriteArrayList<>();

        void add(double value, String... description) {
            meters.add(List.of(description));
            values.add(value);
        }

        @Override
        public List<List<String>> meters(int first) {
            return first >= meters.size() ? List.of() : List.copyOf(meters.subList(first, meters.size()));
        }

        @Override
        public double read(int meter) {
            return values.get(meter);
        }
    }

    private final FakeSource source = new FakeSource();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void removeTheAgent() {
        MetricsBridge.install(null);
    }

    @Test
    void registersNothingWithoutTheAgent() {
        new ClosewaitMeterBinder().bindTo(registry);

        assertEquals(List.of(), registry.getMeters());
    }

    @Test
    void registersEveryMeterWithItsDescriptionBaseUnitAndTags() {
        source.add(3, "closewait.leaks", "counter", "Leaks reported", "leaks", "kind", "eof-not-closed");
        source.add(7, "closewait.sockets.tracked", "gauge", "Sockets followed", "sockets");
        MetricsBridge.install(source);

        new ClosewaitMeterBinder(Tags.of("app", "shop")).bindTo(registry);

        FunctionCounter leaks = registry.get("closewait.leaks").tags("kind", "eof-not-closed", "app", "shop")
                .functionCounter();
        assertEquals(3, leaks.count());
        assertEquals("Leaks reported", leaks.getId().getDescription());
        assertEquals("leaks", leaks.getId().getBaseUnit());
        assertEquals(Meter.Type.COUNTER, leaks.getId().getType());
        Gauge tracked = registry.get("closewait.sockets.tracked").tags("app", "shop").gauge();
        assertEquals(7, tracked.value());
        assertEquals("sockets", tracked.getId().getBaseUnit());
    }

    @Test
    void readsTheAgentsCurrentValues() {
        source.add(1, "closewait.leaks", "counter", "Leaks reported", "leaks", "kind", "gc-not-closed");
        MetricsBridge.install(source);
        new ClosewaitMeterBinder().bindTo(registry);

        source.values.set(0, 5.0);

        assertEquals(5, registry.get("closewait.leaks").functionCounter().count());
    }

    @Test
    void meterAddedLaterAppearsWhenTheAgentSaysSo() {
        source.add(0, "closewait.sockets.tracked", "gauge", "Sockets followed", "sockets");
        MetricsBridge.install(source);
        new ClosewaitMeterBinder().bindTo(registry);

        source.add(2, "closewait.leaks", "counter", "Leaks reported", "leaks", "kind", "close-wait", "site",
                "com.acme.Pool.lease");
        MetricsBridge.newMeters();

        assertEquals(2, registry.get("closewait.leaks").tags("site", "com.acme.Pool.lease").functionCounter().count());
        assertEquals(2, registry.getMeters().size());
    }

    @Test
    void metersKeepReadingAfterGarbageCollection() throws InterruptedException {
        source.add(4, "closewait.sockets.leaked", "gauge", "Leaked, still open", "sockets", "kind", "close-wait");
        source.add(9, "closewait.agent.errors", "counter", "Errors swallowed", "errors");
        MetricsBridge.install(source);
        new ClosewaitMeterBinder().bindTo(registry);

        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }

        assertEquals(4, registry.get("closewait.sockets.leaked").gauge().value());
        assertEquals(9, registry.get("closewait.agent.errors").functionCounter().count());
        // ...and the binding still hears of new meters.
        source.add(1, "closewait.leaks", "counter", "Leaks reported", "leaks", "kind", "close-wait");
        MetricsBridge.newMeters();
        assertNotNull(registry.find("closewait.leaks").functionCounter());
    }

    @Test
    void aMeterTheRegistryRefusesDoesNotKeepTheOthersOut() {
        // Same name and tags as the agent's counter, but another type: Micrometer refuses the agent's.
        registry.counter("closewait.leaks", "kind", "close-wait");
        source.add(1, "closewait.leaks", "counter", "Leaks reported", "leaks", "kind", "close-wait");
        source.add(2, "closewait.sockets.tracked", "gauge", "Sockets followed", "sockets");
        MetricsBridge.install(source);

        new ClosewaitMeterBinder().bindTo(registry);

        assertEquals(2, registry.get("closewait.sockets.tracked").gauge().value());
    }

    @Test
    void aFailingAgentReadsAsNotANumber() {
        MetricsBridge.install(new MetricsBridge.Source() {
            @Override
            public List<List<String>> meters(int first) {
                return first == 0 ? List.of(List.of("closewait.sockets.tracked", "gauge", "d", "sockets")) : List.of();
            }

            @Override
            public double read(int meter) {
                throw new IllegalStateException("broken");
            }
        });
        List<Throwable> thrown = new ArrayList<>();
        try {
            new ClosewaitMeterBinder().bindTo(registry);
        } catch (Throwable t) {
            thrown.add(t);
        }

        assertEquals(List.of(), thrown);
        assertTrue(Double.isNaN(registry.get("closewait.sockets.tracked").gauge().value()));
    }
}
