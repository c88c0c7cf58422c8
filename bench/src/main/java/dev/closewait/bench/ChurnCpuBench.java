package dev.closewait.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workload (a) at the macro level: the whole process's CPU time per connection over a run of connections, whole
 * JVMs with and without closewait, alternating; prints the ratio and the difference per connection.
 */
final class ChurnCpuBench {

    /** The target for closewait's CPU per connection over no agent (issue 16). */
    static final double TARGET_RATIO = 1.03;

    private final Bench bench;

    ChurnCpuBench(Bench bench) {
        this.bench = bench;
    }

    // (a) at the macro level: process CPU time per connection, whole JVMs, modes alternating.
    void churnCpu(String jdk, String version, Mode none, Mode agent) throws Exception {
        int rounds = bench.quick() ? 3 : 7;
        int connections = 20_000;
        Map<Mode, List<Double>> cpu = new LinkedHashMap<>();
        cpu.put(none, new ArrayList<>());
        cpu.put(agent, new ArrayList<>());
        Pattern result = Pattern.compile("RESULT cpuMicrosPerConnection=([\\d.]+) wallMicrosPerConnection=([\\d.]+)");
        for (int round = 0; round < rounds; round++) {
            for (Mode mode : round % 2 == 0 ? List.of(none, agent) : List.of(agent, none)) {
                List<String> command = new ArrayList<>(List.of(jdk + "/bin/java", "-Xms256m", "-Xmx256m"));
                command.addAll(mode.jvmArguments());
                command.addAll(List.of("-cp", bench.benchJar().toString(), ChurnLoop.class.getName(),
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
        bench.result(String.format("| churn, process CPU µs per connection (whole JVM) | %s | %.1f | %.1f | %.3f (+%.1f µs)"
                + " | <= %.2f | %s |", version, base, withAgent, withAgent / base, withAgent - base,
                TARGET_RATIO, withAgent / base <= TARGET_RATIO ? "yes" : "no"));
        bench.headline(String.format("CPU per connection, %s: closewait / no agent = %.3f (%+.1f us per connection); "
                + "target <= %.2f", version, withAgent / base, withAgent - base, TARGET_RATIO));
    }

}
