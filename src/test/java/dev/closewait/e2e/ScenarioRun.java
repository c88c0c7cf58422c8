package dev.closewait.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scenario program run in a child JVM under the agent. The scenario prints
 * {@code READY port=P leaks=N} once it has done its work (N leaks made, on the server port P), then waits for
 * "exit" on standard input.
 */
public final class ScenarioRun implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("READY port=(\\d+) leaks=(\\d+)");
    /** The agent's start line names the grace it uses, as {@code OptionsParser.format} writes it. */
    private static final Pattern GRACE =
            Pattern.compile("closewait: watching sockets[^;\\n]*; grace (\\d+)(ms|s|m|h)\\b");
    private static final AtomicInteger RUNS = new AtomicInteger();

    public record Ready(int port, int leaks) {
    }

    private final ChildJvm child;
    private final JsonReport report;
    private final Path workDir;

    private ScenarioRun(ChildJvm child, JsonReport report, Path workDir) {
        this.child = child;
        this.report = report;
        this.workDir = workDir;
    }

    public static Builder of(Jdk jdk, Class<?> scenario) {
        return new Builder(jdk, scenario);
    }

    public static final class Builder {
        private final Jdk jdk;
        private final Class<?> scenario;
        private String agentOptions = "grace=1s";
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> arguments = new ArrayList<>();
        private boolean agent = true;
        private boolean reportFile = true;
        private String classPath = TestPaths.classPath();
        private final Map<String, String> environment = new HashMap<>();
        private final List<String> launcher = new ArrayList<>();

        private Builder(Jdk jdk, Class<?> scenario) {
            this.jdk = jdk;
            this.scenario = scenario;
        }

        /** Agent options; {@code report=…} is added by the run. */
        public Builder agentOptions(String options) {
            this.agentOptions = options;
            return this;
        }

        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        public Builder argument(String argument) {
            arguments.add(argument);
            return this;
        }

        public Builder environment(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** No {@code report=} option of the run's own: the agent options given say everything. */
        public Builder withoutReportFile() {
            reportFile = false;
            return this;
        }

        /** Starts the JVM through this command, e.g. {@code nsenter --net=…} to run it in a network namespace. */
        public Builder launcher(List<String> prefix) {
            launcher.addAll(prefix);
            return this;
        }

        public Builder withoutAgent() {
            agent = false;
            return this;
        }

        public Builder classPath(String classPath) {
            this.classPath = classPath;
            return this;
        }

        public ScenarioRun start() throws IOException {
            Path workDir = TestPaths.workDir().resolve(
                    scenario.getSimpleName() + "-jdk" + jdk.major() + "-" + RUNS.incrementAndGet());
            deleteRecursively(workDir); // a previous build's report would be appended to
            Files.createDirectories(workDir);
            Path reportFile = workDir.resolve("report.jsonl");
            List<String> command = new ArrayList<>(launcher);
            command.add(jdk.java().toString());
            if (agent) {
                String options = agentOptions;
                if (this.reportFile) {
                    options = (options.isEmpty() ? "" : options + ",") + "report=" + reportFile;
                }
                command.add("-javaagent:" + TestPaths.agentJar() + (options.isEmpty() ? "" : "=" + options));
            }
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(classPath);
            command.add(scenario.getName());
            command.addAll(arguments);
            return new ScenarioRun(ChildJvm.start(command, environment, workDir), new JsonReport(reportFile), workDir);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    public ChildJvm child() {
        return child;
    }

    public JsonReport report() {
        return report;
    }

    public Path workDir() {
        return workDir;
    }

    public Ready awaitReady() throws InterruptedException {
        Matcher matcher = child.awaitStdout(READY, Waits.EVENT);
        return new Ready(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
    }

    /**
     * The grace period the agent says it uses, from its start line on standard error; waits (bounded) for that line,
     * which the agent prints from its start-up thread, possibly after the scenario is ready. This is the agent's own
     * statement, not the option the test passed: tests compare the agent's timestamps against it.
     */
    public Duration agentGrace() throws InterruptedException {
        Waits.until(child::stderr, err -> GRACE.matcher(err).find() || child.exitCode().isPresent(), Waits.EVENT);
        String stderr = child.stderr();
        Matcher matcher = GRACE.matcher(stderr);
        if (!matcher.find()) {
            throw new AssertionError("no start line naming the grace in the child's stderr within " + Waits.EVENT
                    + ":\n" + stderr);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** Asks the scenario to exit and checks that it did, cleanly. */
    public void exitCleanly() throws InterruptedException {
        int code = child.exit(Waits.EVENT);
        if (code != 0) {
            throw new AssertionError("scenario exited with " + code + "\nstdout:\n" + child.stdout()
                    + "\nstderr:\n" + child.stderr());
        }
    }

    @Override
    public void close() throws InterruptedException {
        child.close();
    }
}
