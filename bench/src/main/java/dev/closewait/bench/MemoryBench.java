package dev.closewait.bench;

import com.sun.management.UnixOperatingSystemMXBean;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workload (d): heap per tracked socket, with N connections held open against a peer server in another JVM (so N
 * tracked sockets in the measured one), heap after GC with and without closewait, and a class histogram of the
 * difference.
 */
final class MemoryBench {

    private final Bench bench;

    MemoryBench(Bench bench) {
        this.bench = bench;
    }

    /** Each level asked for, as far as the open-files limit allows. */
    void run(String jdk, String version, List<Integer> levels, Mode none, Mode agent) throws Exception {
        long limit = openFilesLimit();
        List<Integer> measured = new ArrayList<>();
        for (int asked : levels) {
            // The measured JVM needs one descriptor per connection, plus its own (jars, pipes): ~1,000 spare.
            int connections = (int) Math.min(asked, (limit - 1_000) / 1_000 * 1_000);
            if (measured.contains(connections)) {
                continue;
            }
            measured.add(connections);
            String note = connections == asked ? "" : String.format(" (%,d asked; the open-files limit "
                    + "here is %,d and cannot be raised)", asked, limit);
            memory(jdk, version, connections, note, none, agent);
        }
    }

    // (d) heap per tracked socket: N connections held open (2N tracked sockets), heap after GC, with and without.
    private void memory(String jdk, String version, int connections, String note, Mode none, Mode agent)
            throws Exception {
        int rounds = bench.quick() ? 1 : 2;
        Map<Mode, List<Double>> deltas = new LinkedHashMap<>();
        deltas.put(none, new ArrayList<>());
        deltas.put(agent, new ArrayList<>());
        Map<Mode, List<Double>> baselines = new LinkedHashMap<>();
        baselines.put(none, new ArrayList<>());
        baselines.put(agent, new ArrayList<>());
        Map<Mode, List<Double>> justOpened = new LinkedHashMap<>();
        justOpened.put(none, new ArrayList<>());
        justOpened.put(agent, new ArrayList<>());
        Map<Mode, Map<String, long[]>> histograms = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            List<Mode> order = round % 2 == 0 ? List.of(none, agent) : List.of(agent, none);
            for (Mode mode : order) {
                MemoryRun run = memoryRun(jdk, connections, mode, round == 0);
                if (run.connections < connections) {
                    System.out.printf("memory %d connections, %s: only %d opened (%s); raise ulimit -n to at least %d%n",
                            connections, mode.name(), run.connections, run.problem, connections + 1000);
                    bench.result(String.format("| heap per tracked socket, %,d open connections%s | %s | not measured: "
                            + "only %,d connections could be opened (%s) | | | <= 1024 B | ? |", connections, note,
                            version, run.connections, run.problem));
                    return;
                }
                deltas.get(mode).add((double) run.heapDelta);
                justOpened.get(mode).add((double) run.justOpenedDelta);
                baselines.get(mode).add((double) run.baseline);
                if (run.histogram != null) {
                    histograms.put(mode, run.histogram);
                }
            }
        }
        double base = Stats.median(deltas.get(none));
        double withAgent = Stats.median(deltas.get(agent));
        long tracked = connections;
        double perSocket = (withAgent - base) / tracked;
        double perSocketJustOpened = (Stats.median(justOpened.get(agent)) - Stats.median(justOpened.get(none)))
                / tracked;
        System.out.printf("memory, %d open sockets: heap growth no agent %.1f MiB, closewait %.1f MiB"
                        + " -> %.0f bytes per tracked socket (%.0f right after opening)%n", connections,
                base / (1 << 20), withAgent / (1 << 20), perSocket, perSocketJustOpened);
        double fixed = Stats.median(baselines.get(agent)) - Stats.median(baselines.get(none));
        System.out.printf("  the agent's fixed heap, before the N sockets (after one connection): %+.1f MiB%n",
                fixed / (1 << 20));
        if (histograms.size() == 2) {
            printHistogramDifference(histograms.get(none), histograms.get(agent), tracked);
        }
        bench.result(String.format("| heap per tracked socket, %,d open sockets%s | %s | %.0f B/socket "
                        + "| %.0f B/socket | +%.0f B per tracked socket (+%.0f B right after opening, before the "
                        + "detector's next pass; fixed %+.1f MiB) | <= 1024 B | %s |", connections, note, version,
                base / tracked, withAgent / tracked, perSocket, perSocketJustOpened, fixed / (1 << 20),
                perSocket <= 1024 && perSocketJustOpened <= 1024 ? "yes" : "no"));
    }

    private record MemoryRun(int connections, long heapDelta, long justOpenedDelta, long baseline, String problem,
                             Map<String, long[]> histogram) {
    }

    private static final Pattern RESULT = Pattern.compile("RESULT connections=(\\d+) heapBefore=(\\d+) "
            + "heapOpened=(\\d+) heapAfter=(\\d+) openMillis=(\\d+) problem=(\\S+)");

    private MemoryRun memoryRun(String jdk, int connections, Mode mode, boolean histogram) throws Exception {
        Process peer = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx2g", "-cp",
                bench.benchJar().toString(), PeerServer.class.getName(), String.valueOf(connections))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String ports = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (ports == null || !ports.startsWith("PORTS ")) {
                throw new IllegalStateException("the peer server printed no ports");
            }
            return memoryRun(jdk, connections, mode, histogram, ports.substring("PORTS ".length()));
        } finally {
            peer.getOutputStream().close();
            if (!peer.waitFor(30, TimeUnit.SECONDS)) {
                peer.destroyForcibly();
            }
        }
    }

    private MemoryRun memoryRun(String jdk, int connections, Mode mode, boolean histogram, String ports)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk + "/bin/java", "-Xms64m", "-Xmx4g"));
        command.addAll(mode.jvmArguments());
        command.addAll(List.of("-cp", bench.benchJar().toString(), OpenSockets.class.getName(), String.valueOf(connections),
                ports));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            Matcher result = null;
            while ((line = out.readLine()) != null) {
                Matcher matcher = RESULT.matcher(line);
                if (matcher.find()) {
                    result = matcher;
                    break;
                }
            }
            if (result == null) {
                throw new IllegalStateException("memory child printed no result: " + command);
            }
            Map<String, long[]> classes = histogram ? histogram(jdk, process.pid()) : null;
            try (OutputStream in = process.getOutputStream()) {
                in.write('\n');
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("memory child did not exit");
            }
            int opened = Integer.parseInt(result.group(1));
            long justOpened = Long.parseLong(result.group(3)) - Long.parseLong(result.group(2));
            long delta = Long.parseLong(result.group(4)) - Long.parseLong(result.group(2));
            long baseline = Long.parseLong(result.group(2));
            System.out.printf("memory %d connections, %-11s: opened %d in %s ms, heap growth %.1f MiB right after "
                            + "opening, %.1f MiB 6 s later%n", connections, mode.name(), opened, result.group(5),
                    justOpened / (double) (1 << 20), delta / (double) (1 << 20));
            return new MemoryRun(opened, delta, justOpened, baseline, result.group(6), classes);
        } finally {
            process.destroyForcibly();
        }
    }

    /** Class name to {instances, bytes}, from jcmd GC.class_histogram (which runs a full GC first). */
    private static Map<String, long[]> histogram(String jdk, long pid) throws Exception {
        Process jcmd = new ProcessBuilder(jdk + "/bin/jcmd", String.valueOf(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        Map<String, long[]> classes = new HashMap<>();
        Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(jcmd.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                Matcher matcher = row.matcher(line);
                if (matcher.find()) {
                    classes.put(matcher.group(3), new long[] {Long.parseLong(matcher.group(1)),
                            Long.parseLong(matcher.group(2))});
                }
            }
        }
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return classes;
    }

    private static void printHistogramDifference(Map<String, long[]> none, Map<String, long[]> agent, long tracked) {
        List<Map.Entry<String, long[]>> differences = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> entry : agent.entrySet()) {
            long[] base = none.getOrDefault(entry.getKey(), new long[2]);
            long[] difference = {entry.getValue()[0] - base[0], entry.getValue()[1] - base[1]};
            total += difference[1];
            differences.add(Map.entry(entry.getKey(), difference));
        }
        differences.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        System.out.printf("  class histogram, closewait minus no agent, per tracked socket (total %.0f B):%n",
                total / (double) tracked);
        for (Map.Entry<String, long[]> entry : differences.subList(0, Math.min(12, differences.size()))) {
            System.out.printf("    %7.1f B  %6.2f instances  %s%n", entry.getValue()[1] / (double) tracked,
                    entry.getValue()[0] / (double) tracked, entry.getKey());
        }
    }

    private static long openFilesLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

}
