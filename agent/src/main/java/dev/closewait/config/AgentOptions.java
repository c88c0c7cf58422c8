package dev.closewait.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The agent's settings, immutable. Built by {@link OptionsParser}; {@link #defaults()} is what an empty command
 * line gives.
 *
 * @param grace      how long a socket may stay open after reading EOF before it counts as leaked
 * @param report     JSON Lines file to append events to, or null for none
 * @param stackDepth frames shown per stack, after the agent's and the JDK's socket plumbing are trimmed
 * @param include    class-name prefixes; when not empty, only leaks allocated under one of them are reported
 * @param exclude    class-name prefixes; leaks allocated under one of them are not reported
 * @param log        where text reports go
 * @param kernel     whether to read the kernel's view of this process's sockets (Linux /proc)
 * @param reportMaxBytes the JSON report's size before it is rotated
 * @param metrics    the Prometheus endpoint and the {@code site} tag
 * @param stackSample record the stacks of one socket in this many (1: every socket)
 * @param churn      connection churn detection
 * @param appPackages class-name prefixes whose frames are always the application's, even under a library's
 *                    package, when reports pick a leak's site
 * @param libraryPackages class-name prefixes skipped, like the built-in list of libraries, when reports pick a site
 * @param reportTrust whether the JSON report may be opened through a symbolic link or in a file another user owns
 */
public record AgentOptions(Duration grace, Path report, int stackDepth, List<String> include, List<String> exclude,
                           LogTarget log, boolean kernel, long reportMaxBytes, MetricsOptions metrics,
                           int stackSample, ChurnOptions churn, List<String> appPackages,
                           List<String> libraryPackages, boolean reportTrust) {

    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    public static final int DEFAULT_STACK_DEPTH = 40;
    public static final long DEFAULT_REPORT_MAX_BYTES = 100L << 20;

    public AgentOptions {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        appPackages = List.copyOf(appPackages);
        libraryPackages = List.copyOf(libraryPackages);
    }

    /** Without site options. */
    public AgentOptions(Duration grace, Path report, int stackDepth, List<String> include, List<String> exclude,
                        LogTarget log, boolean kernel, long reportMaxBytes, MetricsOptions metrics, int stackSample,
                        ChurnOptions churn) {
        this(grace, report, stackDepth, include, exclude, log, kernel, reportMaxBytes, metrics, stackSample, churn,
                List.of(), List.of());
    }

    /** With report-trust off. */
    public AgentOptions(Duration grace, Path report, int stackDepth, List<String> include, List<String> exclude,
                        LogTarget log, boolean kernel, long reportMaxBytes, MetricsOptions metrics, int stackSample,
                        ChurnOptions churn, List<String> appPackages, List<String> libraryPackages) {
        this(grace, report, stackDepth, include, exclude, log, kernel, reportMaxBytes, metrics, stackSample, churn,
                appPackages, libraryPackages, false);
    }

    /** With the default churn options. */
    public AgentOptions(Duration grace, Path report, int stackDepth, List<String> include, List<String> exclude,
                        LogTarget log, boolean kernel, long reportMaxBytes, MetricsOptions metrics, int stackSample) {
        this(grace, report, stackDepth, include, exclude, log, kernel, reportMaxBytes, metrics, stackSample,
                ChurnOptions.DEFAULTS);
    }

    /** With the default metrics options. */
    public AgentOptions(Duration grace, Path report, int stackDepth, List<String> include, List<String> exclude,
                        LogTarget log, boolean kernel, long reportMaxBytes) {
        this(grace, report, stackDepth, include, exclude, log, kernel, reportMaxBytes, MetricsOptions.DEFAULTS, 1);
    }

    /** With the default size cap of the JSON report. */
    public AgentOptions(Duration grace, Path report, int stackDepth, List<String> include, List<String> exclude,
                        LogTarget log, boolean kernel, MetricsOptions metrics) {
        this(grace, report, stackDepth, include, exclude, log, kernel, DEFAULT_REPORT_MAX_BYTES, metrics, 1);
    }

    public static AgentOptions defaults() {
        return new AgentOptions(DEFAULT_GRACE, null, DEFAULT_STACK_DEPTH, List.of(), List.of(), LogTarget.AUTO, true,
                DEFAULT_REPORT_MAX_BYTES, MetricsOptions.DEFAULTS, 1, ChurnOptions.DEFAULTS, List.of(), List.of(),
                false);
    }
}
