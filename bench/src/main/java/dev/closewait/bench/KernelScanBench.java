package dev.closewait.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workload (e): the kernel view with 10,000 tracked sockets in a namespace of 100,000 rows (CPU as a share of one core
 * at the default grace, heap per tracked socket), and with 1,000 sockets in 1,000 rows (heap). Each run is in a
 * network namespace of its own ({@code unshare -n}, which needs root).
 */
final class KernelScanBench {

    private final Bench bench;

    KernelScanBench(Bench bench) {
        this.bench = bench;
    }

    private static final Pattern KERNEL_RESULT = Pattern.compile("RESULT sockets=(\\d+) namespaceRows=(\\d+) "
            + "probeCpuMs=([\\d.]+) probeIntervalMs=(\\d+) scanCpuMs=([\\d.]+) scanIntervalMs=(\\d+) "
            + "tablesRead=(\\w+) firstScanCpuMs=([\\d.]+) fullReadCpuMs=([\\d.]+) share=([\\d.]+) "
            + "heapPerSocket=(-?\\d+)");

    void run(String jdk, String version) throws Exception {
        run(jdk, version, 5_000, 90_000); // both ends in the process: 10,000 sockets, plus TIME_WAIT rows
        run(jdk, version, 500, 0);
    }

    private void run(String jdk, String version, int connections, int timeWait) throws Exception {
        String javaCommand = Path.of(jdk, "bin", "java").toString();
        String setUp = "ip link set lo up && echo '1024 65535' > /proc/sys/net/ipv4/ip_local_port_range"
                + " && echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse && ulimit -n $(ulimit -Hn) && exec \"$0\""
                + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED"
                + " --add-opens java.base/java.net=ALL-UNNAMED -cp \"$1\" " + KernelScanCost.class.getName()
                + " " + connections + " " + timeWait;
        Process child = new ProcessBuilder("unshare", "-n", "sh", "-c", setUp, javaCommand,
                bench.agentJar() + java.io.File.pathSeparator + bench.benchJar()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(5, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        Matcher result = KERNEL_RESULT.matcher(output);
        if (!result.find()) {
            System.out.println("kernel view: no result\n" + output);
            bench.result("| kernel view, " + 2 * connections + " sockets | " + version
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
        bench.result(String.format("| kernel view, %s tracked sockets (%s rows in the namespace) | %s | — | probes %s ms "
                        + "CPU every %s ms; scan %s ms CPU every %s ms | %.3f %% of a core; %d B per tracked socket "
                        + "| < 0.5 %%; <= 320 B | %s |", result.group(1), result.group(2), version, result.group(3),
                result.group(4), result.group(5), result.group(6), share * 100, heap,
                share < 0.005 && heap <= 320 ? "yes" : "no"));
    }
}
