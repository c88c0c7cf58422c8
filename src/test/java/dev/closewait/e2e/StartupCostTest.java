package dev.closewait.e2e;

import dev.closewait.e2e.scenarios.EmptyAgent;
import dev.closewait.e2e.scenarios.ProperCloseClean;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the agent's start makes the JVM do, read from the JVM's own class-load log ({@code -Xlog:class+load}): no
 * lambda or method reference of the agent's is linked (each spins a class and method handles, and together they were
 * a third of the start thread's CPU, docs/performance.md "Start-up CPU"), and none of the JDK's heavier machinery is
 * started that the application did not start itself: the platform MBean server ({@code ManagementFactory}), regular
 * expressions, streams. Compared with the same application under an agent that does nothing. Run on an application that opens and closes 30 connections and then idles, past the agent's
 * start, its first kernel probe and table scan, and its mailbox, so the periodic tasks' first runs are covered too.
 */
class StartupCostTest {

    /** Classes the agent's start must not be the first to load. */
    private static final List<String> HEAVY = List.of("java.lang.management.ManagementFactory",
            "java.util.regex.Pattern", "java.util.stream.ReferencePipeline");
    /** Loaded by the agent once its periodic tasks have run once: the first table scan, the mailbox. */
    private static final List<String> STARTED = List.of("dev.closewait.core.KernelSnapshot",
            "dev.closewait.agent.Mailbox", "dev.closewait.agent.StaleTempFiles");

    @TestFactory
    Stream<DynamicTest> theStartLinksNoLambdaOfTheAgentAndNoHeavyJdkMachinery() {
        return PerJdk.each(jdk -> {
            // The baseline: the application under an agent that does nothing. Any -javaagent makes the JVM build its
            // module graph instead of mapping the archived one (JDK 17), which uses streams.
            List<String> application = classesLoaded(jdk, null);
            // The default start, as bench/run measures it: no options.
            List<String> defaults = classesLoaded(jdk, "");
            assertEquals(List.of(), agentLambdas(defaults), "lambdas of the agent linked during its start");
            for (String heavy : HEAVY) {
                assertTrue(application.contains(heavy) || !defaults.contains(heavy),
                        heavy + " loaded by the agent's start, not by the application");
            }
            // With options and a JSON report. Option values are checked with regular expressions: a user who gives
            // options pays for compiling them (about 11 ms of a cold JVM's CPU here), so Pattern is not asserted.
            List<String> withOptions = classesLoaded(jdk, "grace=1s");
            assertEquals(List.of(), agentLambdas(withOptions), "lambdas of the agent linked during its start");
            for (String heavy : HEAVY) {
                assertTrue(application.contains(heavy) || !withOptions.contains(heavy)
                                || heavy.equals("java.util.regex.Pattern"),
                        heavy + " loaded by the agent's start, not by the application");
            }
        });
    }

    private static List<String> agentLambdas(List<String> classes) {
        List<String> lambdas = new ArrayList<>();
        for (String name : classes) {
            if (name.startsWith("dev.closewait.") && !name.startsWith("dev.closewait.e2e.")
                    && name.contains("$$Lambda")) {
                lambdas.add(name);
            }
        }
        return lambdas;
    }

    /**
     * The classes the JVM loaded while running the clean application until its agent's periodic tasks had run.
     *
     * @param agentOptions null: an empty agent; empty: closewait without options; else these options and a JSON
     *                     report
     */
    private static List<String> classesLoaded(Jdk jdk, String agentOptions) throws Exception {
        ScenarioRun.Builder builder = ScenarioRun.of(jdk, ProperCloseClean.class);
        boolean agent = agentOptions != null;
        if (!agent) {
            builder.withoutAgent().jvmOption("-javaagent:" + emptyAgentJar());
        } else if (agentOptions.isEmpty()) {
            builder.agentOptions("").withoutReportFile();
        } else {
            builder.agentOptions(agentOptions);
        }
        Path log = Files.createTempFile(Files.createDirectories(TestPaths.workDir()), "class-load-" + jdk.major(),
                ".txt");
        builder.jvmOption("-Xlog:class+load=info:file=" + log);
        try (ScenarioRun run = builder.start()) {
            run.awaitReady();
            if (agent) {
                run.agentGrace(); // the start line: the start is through
                Waits.until(() -> names(log), names -> names.containsAll(STARTED), Waits.EVENT);
                List<String> loaded = names(log);
                assertTrue(loaded.containsAll(STARTED), "the agent's periodic tasks never ran: " + loaded);
            }
            run.exitCleanly();
        }
        return names(log);
    }

    /** A jar whose only class is {@link EmptyAgent}, named by its manifest as the premain class. */
    private static Path emptyAgentJar() throws IOException {
        Path jar = Files.createDirectories(TestPaths.workDir()).resolve("empty-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), EmptyAgent.class.getName());
        return TestJars.write(jar, manifest, List.of(EmptyAgent.class));
    }

    /** The class names in a class-load log ("[...][info][class,load] NAME source: ..."). */
    private static List<String> names(Path log) {
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                int start = line.indexOf("] ");
                int end = line.indexOf(" source: ");
                if (start >= 0 && end > start) {
                    names.add(line.substring(start + 2, end));
                }
            }
        } catch (IOException notYet) {
            // read again at the next wait
        }
        return names;
    }
}
