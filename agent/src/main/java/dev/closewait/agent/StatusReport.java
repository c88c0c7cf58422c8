package dev.closewait.agent;

import dev.closewait.config.EffectiveOptions;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.Suspect;
import dev.closewait.kernel.ProcessId;
import dev.closewait.report.Durations;
import dev.closewait.text.SafeText;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code closewait-agent.jar status <pid>} prints: the agent's version, its effective options and where each
 * came from, the kernel view, the counts, the sinks and the errors. Rendered on the detector thread, from numbers the
 * agent keeps anyway; every string the host controls is escaped.
 */
final class StatusReport {

    /** One place reports go, with how many times it failed (null: it cannot fail, or is not a report sink). */
    record Sink(String name, Supplier<String> description, LongSupplier failures) {
    }

    private final String version;
    private final boolean attached;
    private final long startedEpochMillis;
    private final long startedNanos;
    private final List<EffectiveOptions.Entry> options;
    private final List<String> problems;
    private final Supplier<String> kernel;
    private final IntSupplier tracked;
    private final Supplier<List<Suspect>> suspects;
    private final StatusCounts counts;
    private final List<Sink> sinks;
    private final AgentErrors errors;

    StatusReport(boolean attached, long startedEpochMillis, long startedNanos, List<EffectiveOptions.Entry> options,
                 List<String> problems,
                 Supplier<String> kernel, IntSupplier tracked, Supplier<List<Suspect>> suspects, StatusCounts counts,
                 List<Sink> sinks, AgentErrors errors) {
        this.version = version();
        this.attached = attached;
        this.startedEpochMillis = startedEpochMillis;
        this.startedNanos = startedNanos;
        this.options = List.copyOf(options);
        this.problems = List.copyOf(problems);
        this.kernel = kernel;
        this.tracked = tracked;
        this.suspects = suspects;
        this.counts = counts;
        this.sinks = List.copyOf(sinks);
        this.errors = errors;
    }

    /**
     * The agent jar's {@code Implementation-Version}, or {@code dev} for classes not run from the jar. Read through
     * the entry class in the loader the JVM put the jar in: the agent's own loader defines no package versions.
     */
    static String version() {
        try {
            String version = Class.forName("dev.closewait.agent.ClosewaitAgent", false,
                    ClassLoader.getSystemClassLoader()).getPackage().getImplementationVersion();
            return version == null ? "dev" : version;
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return "dev";
        }
    }

    String render() {
        StringBuilder text = new StringBuilder();
        text.append("closewait ").append(version).append(" in process ").append(ProcessId.current())
                .append(" (Java ").append(Runtime.version()).append("), ")
                .append(attached ? "attached" : "started with -javaagent").append(" at ")
                .append(Instant.ofEpochMilli(startedEpochMillis)).append(", running for ")
                .append(Durations.human(System.nanoTime() - startedNanos)).append('\n');

        text.append("\nOptions:\n");
        int keyWidth = options.stream().mapToInt(o -> o.key().length()).max().orElse(0);
        int valueWidth = options.stream().mapToInt(o -> SafeText.bounded(o.value(), 60).length()).max().orElse(0);
        for (EffectiveOptions.Entry option : options) {
            text.append("  ").append(pad(option.key(), keyWidth)).append("  ")
                    .append(pad(SafeText.bounded(option.value(), 60), valueWidth)).append("  ")
                    .append(SafeText.bounded(option.source(), 200)).append('\n');
        }
        if (!problems.isEmpty()) {
            text.append("Option problems at start:\n");
            problems.forEach(problem -> text.append("  ").append(SafeText.bounded(problem, 500)).append('\n'));
        }

        text.append("\nKernel view: ").append(kernel.get()).append('\n');

        List<Suspect> current = suspects.get();
        long pending = current.stream().filter(s -> s.status() == Suspect.Status.PENDING).count();
        long leaked = current.size() - pending;
        text.append("\nSockets:\n")
                .append("  tracked                ").append(tracked.getAsInt())
                .append("   (opened since the agent started, not closed or collected)\n")
                .append("  pending                ").append(pending)
                .append("   (EOF read or CLOSE_WAIT seen, still within grace)\n")
                .append("  leaked                 ").append(leaked).append("   (reported, still open)\n")
                .append("  reported               ").append(counts.reported()).append("   (leaks reported so far)\n")
                .append("  closed after report    ").append(counts.closedAfterReport()).append('\n')
                .append("  collected after report ").append(counts.collectedAfterReport()).append('\n');

        text.append("\nSinks:\n");
        int nameWidth = sinks.stream().mapToInt(s -> s.name().length()).max().orElse(0);
        for (Sink sink : sinks) {
            long failed = sink.failures() == null ? 0 : sink.failures().getAsLong();
            text.append("  ").append(pad(sink.name(), nameWidth)).append("  ").append(sink.description().get())
                    .append(failed == 0 ? "" : "; " + failed + " failed").append('\n');
        }

        text.append("\nErrors: ").append(errors.count()).append(errors.count() == 0 ? "\n"
                : " swallowed (the application was not affected); the first of each kind:\n");
        for (String first : errors.firstMessages()) {
            text.append("  ").append(SafeText.bounded(first, 500)).append('\n');
        }
        return text.toString();
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    /** For tests and the table of sinks. */
    static List<String> names(List<Sink> sinks) {
        List<String> names = new ArrayList<>();
        sinks.forEach(sink -> names.add(sink.name()));
        return names;
    }
}
