package dev.closewait.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus text exposition format, version 0.0.4, written by hand (the agent bundles no metrics library).
 * Names follow Micrometer's Prometheus naming convention, so a dashboard reads the same series whether they come
 * from this endpoint or from the application's Micrometer with a Prometheus registry: dots become underscores, the
 * base unit is appended unless the name ends with it, and counters end in {@code _total}.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    public static String render(List<Meter> meters) {
        Map<String, List<Meter>> byName = new LinkedHashMap<>();
        for (Meter meter : meters) {
            byName.computeIfAbsent(name(meter), name -> new ArrayList<>()).add(meter);
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, List<Meter>> family : byName.entrySet()) {
            Meter first = family.getValue().get(0);
            text.append("# HELP ").append(family.getKey()).append(' ').append(escapeHelp(first.description()))
                    .append('\n');
            text.append("# TYPE ").append(family.getKey()).append(' ')
                    .append(first.type() == Meter.Type.COUNTER ? "counter" : "gauge").append('\n');
            for (Meter meter : family.getValue()) {
                text.append(family.getKey()).append(labels(meter.tags())).append(' ')
                        .append(value(read(meter))).append('\n');
            }
        }
        return text.toString();
    }

    /** {@code closewait.leaks} (counter, leaks) → {@code closewait_leaks_total}; gauges get their unit appended. */
    static String name(Meter meter) {
        String name = sanitize(meter.name());
        String unit = meter.baseUnit() == null ? null : sanitize(meter.baseUnit());
        if (unit != null && !name.endsWith("_" + unit)) {
            name += "_" + unit;
        }
        if (meter.type() == Meter.Type.COUNTER && !name.endsWith("_total")) {
            name += "_total";
        }
        return name;
    }

    private static String labels(List<String> tags) {
        if (tags.isEmpty()) {
            return "";
        }
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; i + 1 < tags.size(); i += 2) {
            if (i > 0) {
                labels.append(',');
            }
            labels.append(sanitize(tags.get(i))).append("=\"").append(escapeLabelValue(tags.get(i + 1))).append('"');
        }
        return labels.append('}').toString();
    }

    /** Metric and label names: letters, digits and underscores, not starting with a digit. */
    static String sanitize(String name) {
        StringBuilder sanitized = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = c < 128 && (Character.isLetterOrDigit(c) || c == '_') && !(i == 0 && Character.isDigit(c));
            sanitized.append(allowed ? c : '_');
        }
        return sanitized.toString();
    }

    /** Backslash, double quote and line feed are escaped in label values. */
    static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Backslash and line feed are escaped in help text. */
    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static double read(Meter meter) {
        try {
            return meter.read();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    static String value(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
