package dev.closewait.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workload (a) at the macro level: the whole process's CPU time per connection, closewait over no agent, measured so
 * that the host's state cannot decide the answer.
 *
 * <p>Two long-lived child JVMs ({@link ChurnLoop}), one without an agent and one with closewait, run batches of
 * connections in turn: A, B, B, A, A, B, ... Each batch's CPU time is the process's CPU time (all threads) between the
 * end of its previous batch and the end of this one, so what the agent does between batches is counted. A pair is two
 * consecutive batches, one of each JVM, a fraction of a second apart: whatever state the host is in (this 2-core host
 * has a slow one and a fast one, seconds to minutes long, docs/performance.md), both batches of a pair see it. The
 * result is the median of the pairs' ratios, with the interquartile range; the per-connection medians are printed
 * too but are not what the target is about.
 *
 * <p>The measured batches follow 100,000 warm-up connections per JVM (50,000 with {@code --quick}): after 20,000, C2
 * was still compiling in both JVMs, 2 to 5 µs per connection of the next 50,000 (per-thread CPU from
 * {@code /proc/PID/task/TID/schedstat}), more of it in the JVM with more code to compile. That is a one-time cost of a
 * JVM's start, not a cost per connection: the start and warm-up CPU of each JVM is printed on its own line.
 *
 * <p>Each JVM runs in a network namespace of its own ({@code unshare -n}, loopback up) that keeps at most
 * {@value #TIME_WAIT_BUCKETS} TIME_WAIT sockets ({@code tcp_max_tw_buckets}, per namespace); without a namespace
 * (where {@code unshare -n} is not permitted) the run says so. The loop's client closes first, so each connection left
 * a TIME_WAIT socket on the client's ephemeral port for 60 s, and {@code connect()} had to search past them for a free
 * port: {@code tcp_tw_reuse} (2, loopback) reuses one only a second after its last segment. A batch that came right
 * after the same JVM's previous one found the ports full of young TIME_WAIT sockets and took 85–89 µs per
 * connection, one that came after the other JVM's took 34–39 µs, with or without the agent (JDK 17, pinned, this
 * 2-core host): that was the kernel's port search, not either JVM's CPU. With the TIME_WAIT sockets capped the agent
 * still meets some (it reads the tables they are in), and both JVMs' connections cost what their code costs.
 *
 * <p>With {@code --pin CPU} both JVMs run pinned to that one CPU ({@code taskset -c}), client and server threads
 * taking turns on it.
 */
final class ChurnCpuBench {

    /** The target for closewait's CPU per connection over no agent (issue 16). */
    static final double TARGET_RATIO = 1.03;

    /** The churn JVMs' heap options unless {@code --churn-heap} says otherwise. */
    static final String HEAP = "-Xms256m -Xmx256m";

    /** TIME_WAIT sockets a churn JVM's namespace keeps at most (see the class comment). */
    static final int TIME_WAIT_BUCKETS = 1_000;

    /** Whether each churn JVM gets a network namespace of its own (see the class comment). */
    static final boolean OWN_NAMESPACES = namespacesPermitted();

    private static final Pattern DONE = Pattern.compile("DONE cpuNanos=(\\d+) wallNanos=(\\d+)");

    private final Bench bench;

    ChurnCpuBench(Bench bench) {
        this.bench = bench;
    }

    void churnCpu(String jdk, String version, Mode none, Mode agent) throws Exception {
        int pairs = bench.quick() ? 12 : 30;
        int batch = 10_000;
        int warmUp = bench.quick() ? 50_000 : 100_000;
        try (Child base = new Child(jdk, none); Child with = new Child(jdk, agent)) {
            double baseWarmUp = base.batch(warmUp);
            double agentWarmUp = with.batch(warmUp);
            List<Double> baseMicros = new ArrayList<>();
            List<Double> agentMicros = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int pair = 0; pair < pairs; pair++) {
                double b;
                double a;
                if (pair % 2 == 0) {
                    b = base.batch(batch);
                    a = with.batch(batch);
                } else {
                    a = with.batch(batch);
                    b = base.batch(batch);
                }
                baseMicros.add(b / 1e3 / batch);
                agentMicros.add(a / 1e3 / batch);
                ratios.add(a / b);
            }
            double ratio = Stats.median(ratios);
            double baseMedian = Stats.median(baseMicros);
            double agentMedian = Stats.median(agentMicros);
            double extra = Stats.median(differences(agentMicros, baseMicros));
            System.out.printf("churn, process CPU per connection (us), %d pairs of %d-connection batches after %d "
                            + "warm-up, alternating%s%s%n  start and warm-up: no agent %.0f ms, closewait %.0f ms of CPU"
                            + "%n  no agent  median %.1f  batches: %s%n  closewait median %.1f"
                            + "  batches: %s%n  ratio per pair: median %.3f, quartiles %.3f to %.3f; difference per pair:"
                            + " median %+.2f us per connection%n",
                    pairs, batch, warmUp, OWN_NAMESPACES ? ", each in its own network namespace (at most " + TIME_WAIT_BUCKETS + " TIME_WAIT)"
                            : ", one network namespace (unshare -n not permitted)",
                    bench.pinnedCpu() == null ? "" : ", both pinned to CPU " + bench.pinnedCpu(),
                    baseWarmUp / 1e6, agentWarmUp / 1e6, baseMedian, Stats.join(baseMicros, "%.1f"), agentMedian, Stats.join(agentMicros, "%.1f"), ratio,
                    Stats.quantile(ratios, 0.25), Stats.quantile(ratios, 0.75), extra);
            bench.result(String.format("| churn, process CPU µs per connection (whole JVM, paired batches) | %s | %.1f"
                            + " | %.1f | %.3f (%+.2f µs) | <= %.2f | %s |", version, baseMedian, agentMedian, ratio, extra,
                    TARGET_RATIO, ratio <= TARGET_RATIO ? "yes" : "no"));
            bench.headline(String.format("CPU per connection, %s: closewait / no agent = %.3f (quartiles %.3f to %.3f,"
                            + " %+.2f us per connection); target <= %.2f", version, ratio, Stats.quantile(ratios, 0.25),
                    Stats.quantile(ratios, 0.75), extra, TARGET_RATIO));
        }
    }

    private static boolean namespacesPermitted() {
        try {
            Process probe = new ProcessBuilder("unshare", "-n", "sh", "-c", "ip link set lo up && echo "
                    + TIME_WAIT_BUCKETS + " > /proc/sys/net/ipv4/tcp_max_tw_buckets").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<Double> differences(List<Double> a, List<Double> b) {
        List<Double> differences = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            differences.add(a.get(i) - b.get(i));
        }
        return differences;
    }

    /** One {@link ChurnLoop} JVM, driven through its standard input. */
    private final class Child implements AutoCloseable {
        private final Process process;
        private final PrintStream commands;
        private final BufferedReader answers;
        private long lastCpuNanos;

        Child(String jdk, Mode mode) throws IOException {
            List<String> command = new ArrayList<>();
            if (bench.pinnedCpu() != null) {
                command.addAll(List.of("taskset", "-c", bench.pinnedCpu()));
            }
            if (OWN_NAMESPACES) {
                command.addAll(List.of("unshare", "-n", "sh", "-c", "ip link set lo up && echo " + TIME_WAIT_BUCKETS
                        + " > /proc/sys/net/ipv4/tcp_max_tw_buckets && exec \"$@\"", "sh"));
            }
            command.add(jdk + "/bin/java");
            command.addAll(bench.churnHeap());
            command.addAll(mode.jvmArguments());
            command.addAll(List.of("-cp", bench.benchJar().toString(), ChurnLoop.class.getName()));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Runs {@code connections} and returns the process CPU time since the previous batch ended (ns). */
        double batch(int connections) throws IOException {
            commands.println("run " + connections);
            String line = answers.readLine();
            Matcher done = line == null ? null : DONE.matcher(line);
            if (done == null || !done.find()) {
                throw new IllegalStateException("churn loop answered " + line);
            }
            long cpu = Long.parseLong(done.group(1));
            long spent = cpu - lastCpuNanos;
            lastCpuNanos = cpu;
            return spent;
        }

        @Override
        public void close() throws InterruptedException {
            commands.println("quit");
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
