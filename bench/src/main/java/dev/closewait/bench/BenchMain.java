package dev.closewait.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every workload with and without the agent in one run, alternating the order each round, and prints the
 * medians, the ratio and the target. Usage (bench/run wraps it):
 *
 * <pre>java -jar bench/target/closewait-bench.jar [--quick] [--jdks HOME,HOME] [--agent JAR]
 *     [--agent-options k=v,...] [--only start,churn,bulk,memory,kernel] [--memory 10000,100000]</pre>
 */
public final class BenchMain {

    private final boolean quick;
    private final List<String> jdks;
    private final Path agentJar;
    private final String agentOptions;
    private final List<String> only;
    private final List<Integer> memoryLevels;
    private final Path benchJar;
    private final List<String> results = new ArrayList<>();

    private BenchMain(Map<String, String> options) throws Exception {
        quick = options.containsKey("quick");
        jdks = List.of(options.getOrDefault("jdks", System.getProperty("java.home")).split(","));
        agentJar = Path.of(options.getOrDefault("agent", "agent/target/closewait-agent.jar")).toAbsolutePath();
        agentOptions = options.getOrDefault("agent-options", "");
        only = List.of(options.getOrDefault("only", "start,churn,bulk,memory,kernel").split(","));
        memoryLevels = Arrays.stream(options.getOrDefault("memory", quick ? "10000" : "10000,100000").split(","))
                .map(Integer::parseInt).toList();
        benchJar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalArgumentException("no agent jar at " + agentJar + " (build it: mvn -B -q package)");
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i].replaceFirst("^--", "");
            if (key.equals("quick")) {
                options.put(key, "true");
            } else if (i + 1 < args.length) {
                options.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("missing value for " + args[i]);
            }
        }
        new BenchMain(options).run();
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        String javaagent = "-javaagent:" + agentJar + (agentOptions.isEmpty() ? "" : "=" + agentOptions);
        Mode none = new Mode("no agent", List.of());
        Mode agent = new Mode("closewait", List.of(javaagent));
        Mode noop = new Mode("empty agent", List.of("-javaagent:" + noopAgentJar()));
        System.out.println("closewait benchmarks" + (quick ? " (quick)" : "") + "; agent " + agentJar
                + (agentOptions.isEmpty() ? "" : " with " + agentOptions));
        for (String jdk : jdks) {
            String version = javaVersion(jdk);
            System.out.println();
            System.out.println("== " + version + " (" + jdk + ")");
            if (only.contains("start")) {
                startUp(jdk, version, none, noop, agent);
            }
            if (only.contains("churn")) {
                jmh(jdk, version, "churn: connect, request, close (us/op)", ChurnBenchmark.class, "connectRequestClose",
                        none, agent, 1.05);
            }
            if (only.contains("churn")) {
                churnCpu(jdk, version, none, agent);
            }
            if (only.contains("bulk")) {
                jmh(jdk, version, "bulk reads: Socket stream, 64 B (ns/read)", BulkReadBenchmark.class,
                        "socketStreamRead", none, agent, 1.01);
                jmh(jdk, version, "bulk reads: SocketChannel, 64 B (ns/read)", BulkReadBenchmark.class,
                        "channelRead", none, agent, 1.01);
            }
            if (only.contains("kernel")) {
                kernelScan(jdk, version);
            }
            if (only.contains("memory")) {
                long limit = openFilesLimit();
                List<Integer> measured = new ArrayList<>();
                for (int asked : memoryLevels) {
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
        }
        System.out.println();
        System.out.println("| workload | JDK | no agent | closewait | ratio / difference | target | met |");
        System.out.println("|---|---|---|---|---|---|---|");
        results.forEach(System.out::println);
        System.out.printf("%nbenchmarks took %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    // (c) JVM start to a trivial main, wall time of the whole process.
    private void startUp(String jdk, String version, Mode none, Mode noop, Mode agent) throws Exception {
        int rounds = quick ? 8 : 21;
        List<Mode> modes = List.of(none, noop, agent);
        Map<Mode, List<Double>> millis = new LinkedHashMap<>();
        modes.forEach(mode -> millis.put(mode, new ArrayList<>()));
        for (int round = -2; round < rounds; round++) { // two rounds to warm the page cache, not counted
            for (int i = 0; i < modes.size(); i++) {
                Mode mode = modes.get(Math.floorMod(i + round, modes.size()));
                List<String> command = new ArrayList<>();
                command.add(jdk + "/bin/java");
                command.addAll(mode.jvmArguments());
                command.addAll(List.of("-cp", benchJar.toString(), TrivialMain.class.getName()));
                long start = System.nanoTime();
                Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("trivial main did not exit within 60 s: " + command);
                }
                double elapsed = (System.nanoTime() - start) / 1e6;
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("trivial main exited with " + process.exitValue() + ": " + command);
                }
                if (round >= 0) {
                    millis.get(mode).add(elapsed);
                }
            }
        }
        for (Mode mode : modes) {
            System.out.printf("start %-12s median %6.1f ms  rounds: %s%n", mode.name(), Stats.median(millis.get(mode)),
                    Stats.join(millis.get(mode), "%.0f"));
        }
        double base = Stats.median(millis.get(none));
        double withAgent = Stats.median(millis.get(agent));
        double withNoop = Stats.median(millis.get(noop));
        double added = withAgent - base;
        results.add(String.format("| start to trivial main, wall ms (empty agent: %+.0f ms) | %s | %.0f | %.0f | %+.0f ms "
                + "| <= +150 ms | %s |", withNoop - base, version, base, withAgent, added, added <= 150 ? "yes" : "no"));
    }

    // (a) and (b): one JMH fork per mode and round, modes alternating.
    private void jmh(String jdk, String version, String title, Class<?> benchmark, String method, Mode none,
                     Mode agent, double target) throws Exception {
        int rounds = quick ? 3 : 5;
        Map<Mode, List<Double>> scores = new LinkedHashMap<>();
        scores.put(none, new ArrayList<>());
        scores.put(agent, new ArrayList<>());
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<Mode> order = round % 2 == 0 ? List.of(none, agent) : List.of(agent, none);
            Map<Mode, Double> thisRound = new HashMap<>();
            for (Mode mode : order) {
                double score = jmhScore(jdk, benchmark, method, mode);
                scores.get(mode).add(score);
                thisRound.put(mode, score);
            }
            ratios.add(thisRound.get(agent) / thisRound.get(none));
        }
        double base = Stats.median(scores.get(none));
        double withAgent = Stats.median(scores.get(agent));
        double ratio = withAgent / base;
        System.out.printf("%s%n  no agent  median %.3f  rounds: %s%n  closewait median %.3f  rounds: %s%n"
                        + "  ratio of medians %.3f; per-round ratios: %s%n", title, base,
                Stats.join(scores.get(none), "%.3f"), withAgent, Stats.join(scores.get(agent), "%.3f"), ratio,
                Stats.join(ratios, "%.3f"));
        results.add(String.format("| %s | %s | %.3f | %.3f | %.3f (per-round median %.3f) | <= %.2f | %s |", title,
                version, base, withAgent, ratio, Stats.median(ratios), target, ratio <= target ? "yes" : "no"));
    }

    private double jmhScore(String jdk, Class<?> benchmark, String method, Mode mode) throws Exception {
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
        jvmArgs.addAll(mode.jvmArguments());
        Options options = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName() + "." + method) + "$")
                .jvm(jdk + "/bin/java")
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .forks(1)
                .warmupIterations(quick ? 2 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(1))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> run = new Runner(options).run();
        if (run.isEmpty()) {
            throw new IllegalStateException("JMH ran nothing for " + method);
        }
        return run.iterator().next().getPrimaryResult().getScore();
    }

    // (a) at the macro level: process CPU time per connection, whole JVMs, modes alternating.
    private void churnCpu(String jdk, String version, Mode none, Mode agent) throws Exception {
        int rounds = quick ? 3 : 7;
        int connections = 20_000;
        Map<Mode, List<Double>> cpu = new LinkedHashMap<>();
        cpu.put(none, new ArrayList<>());
        cpu.put(agent, new ArrayList<>());
        Pattern result = Pattern.compile("RESULT cpuMicrosPerConnection=([\\d.]+) wallMicrosPerConnection=([\\d.]+)");
        for (int round = 0; round < rounds; round++) {
            for (Mode mode : round % 2 == 0 ? List.of(none, agent) : List.of(agent, none)) {
                List<String> command = new ArrayList<>(List.of(jdk + "/bin/java", "-Xms256m", "-Xmx256m"));
                command.addAll(mode.jvmArguments());
                command.addAll(List.of("-cp", benchJar.toString(), ChurnLoop.class.getName(),
                        String.valueOf(connections)));
                Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(300, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("churn loop did not finish: " + command);
                }
                Matcher matcher = result.matcher(output);
                if (!matcher.find()) {
                    throw new IllegalStateException("churn loop printed no result: " + output);
                }
                cpu.get(mode).add(Double.parseDouble(matcher.group(1)));
            }
        }
        double base = Stats.median(cpu.get(none));
        double withAgent = Stats.median(cpu.get(agent));
        System.out.printf("churn, process CPU per connection (us), %d connections per run%n  no agent  median %.1f"
                        + "  rounds: %s%n  closewait median %.1f  rounds: %s%n  ratio %.3f, +%.1f us per connection%n",
                connections, base, Stats.join(cpu.get(none), "%.1f"), withAgent, Stats.join(cpu.get(agent), "%.1f"),
                withAgent / base, withAgent - base);
        results.add(String.format("| churn, process CPU µs per connection (whole JVM) | %s | %.1f | %.1f | %.3f (+%.1f µs)"
                + " | <= 1.05 | %s |", version, base, withAgent, withAgent / base, withAgent - base,
                withAgent / base <= 1.05 ? "yes" : "no"));
    }

    // (d) heap per tracked socket: N connections held open (2N tracked sockets), heap after GC, with and without.
    private void memory(String jdk, String version, int connections, String note, Mode none, Mode agent)
            throws Exception {
        int rounds = quick ? 1 : 2;
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
                    results.add(String.format("| heap per tracked socket, %,d open connections%s | %s | not measured: "
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
        results.add(String.format("| heap per tracked socket, %,d open sockets%s | %s | %.0f B/socket "
                        + "| %.0f B/socket | +%.0f B per tracked socket (+%.0f B right after opening, before the "
                        + "detector's next pass; fixed %+.1f MiB) | <= 1024 B | %s |", connections, note, version,
                base / tracked, withAgent / tracked, perSocket, perSocketJustOpened, fixed / (1 << 20),
                perSocket <= 1024 && perSocketJustOpened <= 1024 ? "yes" : "no"));
    }

    private record MemoryRun(int connections, long heapDelta, long justOpenedDelta, long baseline, String problem,
                             Map<String, long[]> histogram) {
    }

    private static final Pattern KERNEL_RESULT = Pattern.compile("RESULT sockets=(\\d+) namespaceRows=(\\d+) "
            + "probeCpuMs=([\\d.]+) probeIntervalMs=(\\d+) scanCpuMs=([\\d.]+) scanIntervalMs=(\\d+) "
            + "tablesRead=(\\w+) firstScanCpuMs=([\\d.]+) fullReadCpuMs=([\\d.]+) share=([\\d.]+) "
            + "heapPerSocket=(-?\\d+)");

    /**
     * Workload (e): the kernel view with 10,000 tracked sockets in a namespace of 100,000 rows (CPU as a share of one
     * core at the default grace, heap per tracked socket), and with 1,000 sockets in 1,000 rows (heap). Each run is in
     * a network namespace of its own ({@code unshare -n}, which needs root).
     */
    private void kernelScan(String jdk, String version) throws Exception {
        kernelScan(jdk, version, 5_000, 90_000); // both ends in the process: 10,000 sockets, plus TIME_WAIT rows
        kernelScan(jdk, version, 500, 0);
    }

    private void kernelScan(String jdk, String version, int connections, int timeWait) throws Exception {
        String javaCommand = Path.of(jdk, "bin", "java").toString();
        String setUp = "ip link set lo up && echo '1024 65535' > /proc/sys/net/ipv4/ip_local_port_range"
                + " && echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse && ulimit -n $(ulimit -Hn) && exec \"$0\""
                + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED"
                + " --add-opens java.base/java.net=ALL-UNNAMED -cp \"$1\" " + KernelScanCost.class.getName()
                + " " + connections + " " + timeWait;
        Process child = new ProcessBuilder("unshare", "-n", "sh", "-c", setUp, javaCommand,
                agentJar + java.io.File.pathSeparator + benchJar).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(5, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        Matcher result = KERNEL_RESULT.matcher(output);
        if (!result.find()) {
            System.out.println("kernel view: no result\n" + output);
            results.add("| kernel view, " + 2 * connections + " sockets | " + version
                    + " | not measured (see output) | | | < 0.5 % | ? |");
            return;
        }
        double share = Double.parseDouble(result.group(10));
        long heap = Long.parseLong(result.group(11));
        System.out.printf("kernel view: %s tracked sockets, %s rows in the namespace: probe round %s ms CPU every %s ms,"
                        + " steady scan %s ms CPU every %s ms (tables read: %s; first scan %s ms, a full table read %s"
                        + " ms) -> %.3f %% of a core; heap %d B per tracked socket%n", result.group(1),
                result.group(2), result.group(3), result.group(4), result.group(5), result.group(6), result.group(7),
                result.group(8), result.group(9), share * 100, heap);
        results.add(String.format("| kernel view, %s tracked sockets (%s rows in the namespace) | %s | — | probes %s ms "
                        + "CPU every %s ms; scan %s ms CPU every %s ms | %.3f %% of a core; %d B per tracked socket "
                        + "| < 0.5 %%; <= 320 B | %s |", result.group(1), result.group(2), version, result.group(3),
                result.group(4), result.group(5), result.group(6), share * 100, heap,
                share < 0.005 && heap <= 320 ? "yes" : "no"));
    }

    private static final Pattern RESULT = Pattern.compile("RESULT connections=(\\d+) heapBefore=(\\d+) "
            + "heapOpened=(\\d+) heapAfter=(\\d+) openMillis=(\\d+) problem=(\\S+)");

    private MemoryRun memoryRun(String jdk, int connections, Mode mode, boolean histogram) throws Exception {
        Process peer = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx2g", "-cp",
                benchJar.toString(), PeerServer.class.getName(), String.valueOf(connections))
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
        command.addAll(List.of("-cp", benchJar.toString(), OpenSockets.class.getName(), String.valueOf(connections),
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

    private static String javaVersion(String jdk) throws Exception {
        Process process = new ProcessBuilder(jdk + "/bin/java", "-version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        Matcher version = Pattern.compile("version \"([^\"]+)\"").matcher(text);
        Matcher vendor = Pattern.compile("\\n(.*) Runtime Environment").matcher(text);
        return "JDK " + (version.find() ? version.group(1) : "?")
                + (text.contains("Temurin") ? " (Temurin)" : vendor.find() ? " (" + vendor.group(1).trim() + ")" : "");
    }

    /** A jar holding {@link NoopAgent}, written once per run. */
    private static Path noopAgentJar() throws IOException {
        Path jar = Files.createTempFile("closewait-bench-noop-agent-", ".jar");
        jar.toFile().deleteOnExit();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), NoopAgent.class.getName());
        String entry = NoopAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             InputStream classFile = NoopAgent.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            classFile.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
