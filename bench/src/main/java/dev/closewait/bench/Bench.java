package dev.closewait.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What every workload of one run shares: the jars, whether the run is quick, and the summary table's rows. */
final class Bench {

    private final boolean quick;
    private final Path agentJar;
    private final Path benchJar;
    private final String pinnedCpu;
    private final List<String> churnHeap;
    private final List<String> rows = new ArrayList<>();
    private final List<String> headlines = new ArrayList<>();

    Bench(boolean quick, Path agentJar, Path benchJar, String pinnedCpu, List<String> churnHeap) {
        this.quick = quick;
        this.churnHeap = List.copyOf(churnHeap);
        this.pinnedCpu = pinnedCpu;
        this.agentJar = agentJar;
        this.benchJar = benchJar;
    }

    boolean quick() {
        return quick;
    }

    /** The heap options of the whole-process churn JVMs ({@code --churn-heap}, space-separated). */
    List<String> churnHeap() {
        return churnHeap;
    }

    /** The CPU the churn JVMs are pinned to ({@code --pin}), or null: not pinned. */
    String pinnedCpu() {
        return pinnedCpu;
    }

    Path agentJar() {
        return agentJar;
    }

    /** This benchmark jar: the class path of the JVMs the workloads start. */
    Path benchJar() {
        return benchJar;
    }

    /** A row of the summary table, as Markdown. */
    void result(String row) {
        rows.add(row);
    }

    /** One of the lines printed last, under the table: the numbers the targets are about. */
    void headline(String line) {
        headlines.add(line);
    }

    List<String> rows() {
        return rows;
    }

    List<String> headlines() {
        return headlines;
    }
}
