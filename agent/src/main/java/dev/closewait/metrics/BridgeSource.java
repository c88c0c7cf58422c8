package dev.closewait.metrics;

import dev.closewait.bootstrap.MetricsBridge;

import java.util.ArrayList;
import java.util.List;

/** The agent's meters as the bootstrap bridge hands them to Micrometer binders: JDK types only. */
public final class BridgeSource implements MetricsBridge.Source {

    private final LeakMetrics metrics;

    public BridgeSource(LeakMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public List<List<String>> meters(int first) {
        List<Meter> all = metrics.meters();
        List<List<String>> described = new ArrayList<>();
        for (int i = first; i < all.size(); i++) {
            Meter meter = all.get(i);
            List<String> description = new ArrayList<>(List.of(meter.name(),
                    meter.type() == Meter.Type.COUNTER ? "counter" : "gauge", meter.description(), meter.baseUnit()));
            description.addAll(meter.tags());
            described.add(List.copyOf(description));
        }
        return List.copyOf(described);
    }

    @Override
    public double read(int meter) {
        return metrics.meters().get(meter).read();
    }
}
