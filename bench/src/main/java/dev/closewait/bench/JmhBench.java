package dev.closewait.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Workloads (a) and (b) under JMH: one fork per mode and round, modes alternating; prints medians and the ratio. */
final class JmhBench {

    private final Bench bench;

    JmhBench(Bench bench) {
        this.bench = bench;
    }

    // (a) and (b): one JMH fork per mode and round, modes alternating.
    void jmh(String jdk, String version, String title, Class<?> benchmark, String method, Mode none,
                     Mode agent, double target) throws Exception {
        int rounds = bench.quick() ? 3 : 5;
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
        bench.result(String.format("| %s | %s | %.3f | %.3f | %.3f (per-round median %.3f) | <= %.2f | %s |", title,
                version, base, withAgent, ratio, Stats.median(ratios), target, ratio <= target ? "yes" : "no"));
    }

    double jmhScore(String jdk, Class<?> benchmark, String method, Mode mode) throws Exception {
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
        jvmArgs.addAll(mode.jvmArguments());
        Options options = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName() + "." + method) + "$")
                .jvm(jdk + "/bin/java")
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .forks(1)
                .warmupIterations(bench.quick() ? 2 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(bench.quick() ? 3 : 5)
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

}
