package dev.closewait.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs every workload with and without the agent in one run, alternating the order each round, and prints the
 * medians, the ratio and the target, then the start-up difference and the CPU-per-connection ratio. Usage (bench/run
 * wraps it):
 *
 * <pre>java -jar bench/target/closewait-bench.jar [--quick] [--jdks HOME,HOME] [--agent JAR]
 *     [--agent-options k=v,...] [--only start,churn,bulk,memory,kernel] [--memory 10000,100000] [--pin CPU]</pre>
 *
 * {@code churn} runs the JMH churn and the whole-process CPU churn; {@code churn-cpu} only the latter. {@code --pin}
 * pins the whole-process churn JVMs to one CPU.
 */
public final class BenchMain {

    private final List<String> jdks;
    private final String agentOptions;
    private final List<String> only;
    private final List<Integer> memoryLevels;
    private final Bench bench;

    private BenchMain(Map<String, String> options) throws Exception {
        boolean quick = options.containsKey("quick");
        jdks = List.of(options.getOrDefault("jdks", System.getProperty("java.home")).split(","));
        Path agentJar = Path.of(options.getOrDefault("agent", "agent/target/closewait-agent.jar")).toAbsolutePath();
        agentOptions = options.getOrDefault("agent-options", "");
        only = List.of(options.getOrDefault("only", "start,churn,bulk,memory,kernel").split(","));
        memoryLevels = Arrays.stream(options.getOrDefault("memory", quick ? "10000" : "10000,100000").split(","))
                .map(Integer::parseInt).toList();
        Path benchJar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalArgumentException("no agent jar at " + agentJar + " (build it: mvn -B -q package)");
        }
        bench = new Bench(quick, agentJar, benchJar, options.get("pin"),
                List.of(options.getOrDefault("churn-heap", ChurnCpuBench.HEAP).trim().split("\\s+")));
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
        String javaagent = "-javaagent:" + bench.agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions);
        Mode none = new Mode("no agent", List.of());
        Mode agent = new Mode("closewait", List.of(javaagent));
        Mode noop = new Mode("empty agent", List.of("-javaagent:" + Jvms.noopAgentJar()));
        System.out.println("closewait benchmarks" + (bench.quick() ? " (quick)" : "") + "; agent " + bench.agentJar()
                + (agentOptions.isEmpty() ? "" : " with " + agentOptions));
        for (String jdk : jdks) {
            String version = Jvms.javaVersion(jdk);
            System.out.println();
            System.out.println("== " + version + " (" + jdk + ")");
            if (only.contains("start")) {
                new StartUpBench(bench).startUp(jdk, version, none, noop, agent);
            }
            if (only.contains("churn")) {
                new JmhBench(bench).jmh(jdk, version, "churn: connect, request, close (us/op)", ChurnBenchmark.class,
                        "connectRequestClose", none, agent, 1.05);
            }
            if (only.contains("churn") || only.contains("churn-cpu")) {
                new ChurnCpuBench(bench).churnCpu(jdk, version, none, agent);
            }
            if (only.contains("bulk")) {
                JmhBench jmh = new JmhBench(bench);
                jmh.jmh(jdk, version, "bulk reads: Socket stream, 64 B (ns/read)", BulkReadBenchmark.class,
                        "socketStreamRead", none, agent, 1.01);
                jmh.jmh(jdk, version, "bulk reads: SocketChannel, 64 B (ns/read)", BulkReadBenchmark.class,
                        "channelRead", none, agent, 1.01);
            }
            if (only.contains("kernel")) {
                new KernelScanBench(bench).run(jdk, version);
            }
            if (only.contains("memory")) {
                new MemoryBench(bench).run(jdk, version, memoryLevels, none, agent);
            }
        }
        System.out.println();
        System.out.println("| workload | JDK | no agent | closewait | ratio / difference | target | met |");
        System.out.println("|---|---|---|---|---|---|---|");
        bench.rows().forEach(System.out::println);
        System.out.println();
        bench.headlines().forEach(System.out::println);
        System.out.printf("%nbenchmarks took %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }
}
