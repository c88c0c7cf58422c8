package dev.closewait.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Workload (c): JVM start to a trivial main and its exit, wall time of the whole process, with no agent, an empty
 * agent and closewait, the three alternating; prints each mode's median and closewait's difference to no agent, and
 * also the time from spawn to the first line of main (what a long-running application waits for: work the agent
 * does in the background after main has begun is not in it, but is in the time to exit when main is this short).
 */
final class StartUpBench {

    /** The target for closewait's start-up cost over no agent, on a quiet machine (issue 16). */
    static final double TARGET_MILLIS = 50;

    private final Bench bench;

    StartUpBench(Bench bench) {
        this.bench = bench;
    }

    // (c) JVM start to a trivial main, wall time of the whole process.
    void startUp(String jdk, String version, Mode none, Mode noop, Mode agent) throws Exception {
        int rounds = bench.quick() ? 8 : 21;
        List<Mode> modes = List.of(none, noop, agent);
        Map<Mode, List<Double>> millis = new LinkedHashMap<>();
        Map<Mode, List<Double>> toMain = new LinkedHashMap<>();
        modes.forEach(mode -> millis.put(mode, new ArrayList<>()));
        modes.forEach(mode -> toMain.put(mode, new ArrayList<>()));
        for (int round = -2; round < rounds; round++) { // two rounds to warm the page cache, not counted
            for (int i = 0; i < modes.size(); i++) {
                Mode mode = modes.get(Math.floorMod(i + round, modes.size()));
                List<String> command = new ArrayList<>();
                command.add(jdk + "/bin/java");
                command.addAll(mode.jvmArguments());
                command.addAll(List.of("-cp", bench.benchJar().toString(), TrivialMain.class.getName()));
                long start = System.nanoTime();
                Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
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
                    toMain.get(mode).add((Long.parseLong(output.lines().findFirst().orElseThrow()) - start) / 1e6);
                }
            }
        }
        for (Mode mode : modes) {
            System.out.printf("start %-12s median %6.1f ms  rounds: %s%n", mode.name(), Stats.median(millis.get(mode)),
                    Stats.join(millis.get(mode), "%.0f"));
            System.out.printf("  to main %-8s median %6.1f ms  rounds: %s%n", mode.name(),
                    Stats.median(toMain.get(mode)), Stats.join(toMain.get(mode), "%.0f"));
        }
        double mainNone = Stats.median(toMain.get(none));
        double mainAdded = Stats.median(toMain.get(agent)) - mainNone;
        bench.result(String.format("| start, spawn to main's first line, wall ms (empty agent: %+.0f ms) | %s | %.0f | "
                + "%.0f | %+.0f ms | <= +%.0f ms | %s |", Stats.median(toMain.get(noop)) - mainNone, version, mainNone,
                Stats.median(toMain.get(agent)), mainAdded, TARGET_MILLIS, mainAdded <= TARGET_MILLIS ? "yes" : "no"));
        double base = Stats.median(millis.get(none));
        double withAgent = Stats.median(millis.get(agent));
        double withNoop = Stats.median(millis.get(noop));
        double added = withAgent - base;
        bench.result(String.format("| start to trivial main, wall ms (empty agent: %+.0f ms) | %s | %.0f | %.0f | %+.0f ms "
                + "| <= +%.0f ms | %s |", withNoop - base, version, base, withAgent, added, TARGET_MILLIS,
                added <= TARGET_MILLIS ? "yes" : "no"));
        bench.headline(String.format("start-up, %s: closewait %+.0f ms over no agent (empty agent %+.0f ms); target "
                + "<= +%.0f ms on a quiet machine", version, added, withNoop - base, TARGET_MILLIS));
    }

}
