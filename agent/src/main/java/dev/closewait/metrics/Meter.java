package dev.closewait.metrics;

import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * One time series the agent publishes, named the Micrometer way ({@code closewait.leaks}) with its tags.
 *
 * @param tags tag keys and values, alternating
 */
public record Meter(String name, Type type, String description, String baseUnit, List<String> tags,
                    DoubleSupplier value) {

    public enum Type {
        COUNTER, GAUGE
    }

    public Meter {
        tags = List.copyOf(tags);
    }

    public double read() {
        return value.getAsDouble();
    }
}
