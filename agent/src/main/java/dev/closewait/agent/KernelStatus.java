package dev.closewait.agent;

import dev.closewait.core.TcpState;
import dev.closewait.kernel.KernelScan;
import dev.closewait.report.Durations;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The kernel view's line in the status command: on or off and why, how often it reads /proc, what it last saw. A
 * supplier of that line itself, so that the start hands it over without linking a method reference.
 */
final class KernelStatus implements Supplier<String> {

    private volatile String offBecause = "not started";
    private volatile KernelScan scan;
    private volatile Supplier<Map<TcpState, Integer>> lastCounts;

    void off(String because) {
        offBecause = because;
    }

    void on(KernelScan scan, Supplier<Map<TcpState, Integer>> lastCounts) {
        this.lastCounts = lastCounts;
        this.scan = scan;
    }

    @Override
    public String get() {
        return describe();
    }

    String describe() {
        KernelScan current = scan;
        if (current == null) {
            return "off: " + offBecause;
        }
        Map<TcpState, Integer> counts = new TreeMap<>(lastCounts.get());
        counts.values().removeIf(n -> n == 0);
        String states = counts.isEmpty() ? "none yet" : counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().name()).collect(Collectors.joining(", "));
        return "on: polls each tracked socket's descriptor every quarter of grace; lists /proc/self/fd every "
                + Durations.human(current.baseIntervalNanos()) + " and reads /proc/net/tcp and tcp6 only for sockets "
                + "it did not see opened; the last read took "
                + String.format(java.util.Locale.ROOT, "%.1f ms", current.lastCpuNanos() / 1e6)
                + " of CPU; this process's TCP sockets then: " + states;
    }
}
