package dev.closewait.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Workload (e): the kernel scan's CPU time with 10,000 sockets, as a share of one core at the default grace. */
final class KernelScanBench {

    private final Bench bench;

    KernelScanBench(Bench bench) {
        this.bench = bench;
    }

    private static final Pattern KERNEL_RESULT = Pattern.compile("RESULT sockets=(\\d+) ownRows=(\\d+) "
            + "namespaceRows=(\\d+) cpuMs=([\\d.]+) wallMs=([\\d.]+) intervalMs=(\\d+) share=([\\d.]+)");

    void run(String jdk, String version) throws Exception {
        int connections = 5_000; // both ends in the process: 10,000 sockets
        Process child = new ProcessBuilder(Path.of(jdk, "bin", "java").toString(), "-cp",
                bench.agentJar() + java.io.File.pathSeparator + bench.benchJar(), KernelScanCost.class.getName(),
                Integer.toString(connections)).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(5, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        Matcher result = KERNEL_RESULT.matcher(output);
        if (!result.find()) {
            System.out.println("kernel scan: no result\n" + output);
            bench.result("| kernel scan, 10,000 sockets | " + version + " | not measured (see output) | | | < 1 % | ? |");
            return;
        }
        double share = Double.parseDouble(result.group(7));
        System.out.printf("kernel scan: %s sockets (%s in the namespace), %s ms CPU and %s ms wall per scan, "
                        + "every %s ms at grace 30s -> %.2f %% of a core%n", result.group(1), result.group(3),
                result.group(4), result.group(5), result.group(6), share * 100);
        bench.result(String.format("| kernel scan, %s sockets (%s rows in the namespace) | %s | — | %s ms CPU per scan "
                        + "(%s ms wall), every %s ms | %.2f %% of a core | < 1 %% | %s |", result.group(1),
                result.group(3), version, result.group(4), result.group(5), result.group(6), share * 100,
                share < 0.01 ? "yes" : "no"));
    }

}
