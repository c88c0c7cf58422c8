package dev.closewait.agent;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No lambda or method reference in the code that runs while the agent watches a clean application: its start, the
 * hooks, the tracker, the detector, the kernel view, option parsing. Linking one spins a hidden class and method
 * handles on the first run, and together they were a third of the start thread's CPU (docs/performance.md "Start-up
 * CPU"). {@code StartupCostTest} (end-to-end) sees only the paths its one application takes, in the time it runs:
 * on a loaded machine the detector reached a path that shares the stacks of sockets open for a while, and JDK 25
 * linked {@code StackTable}'s lambda (fresh-clone CI under two busy loops, 2026-12-02). This test reads the agent's
 * class files, so every path is covered, taken or not. Classes reached only once there is a leak to report, a
 * command to answer or a scrape to serve are listed, each with where it runs.
 */
class NoLambdaOnTheWatchPathTest {

    /**
     * Where lambdas may be linked, with the moment that code first runs: a class by the prefix of its internal name,
     * or one method as {@code class#method}.
     */
    private static final Map<String, String> AFTER_THE_START = Map.ofEntries(
            Map.entry("dev/closewait/cli/", "the command-line tool: its own JVM"),
            Map.entry("dev/closewait/agent/StatusReport", "a status command"),
            Map.entry("dev/closewait/agent/StatusSinks", "a status command"),
            Map.entry("dev/closewait/agent/Answers", "a command from the mailbox"),
            Map.entry("dev/closewait/agent/KernelStatus", "a status command"),
            Map.entry("dev/closewait/report/FloodGate", "the first report"),
            Map.entry("dev/closewait/report/LeakText", "the first report"),
            Map.entry("dev/closewait/report/ReportDispatcher", "the first report"),
            Map.entry("dev/closewait/report/Slf4jLog", "the first line to the application's log"),
            Map.entry("dev/closewait/metrics/PrometheusText", "a scrape of the metrics endpoint"),
            Map.entry("dev/closewait/metrics/PrometheusEndpoint#makeRoom", "a flood of metrics endpoint connections"));

    @Test
    void theAgentsWatchPathLinksNoLambda() throws Exception {
        Map<String, List<String>> found = lambdaSites(classesDirectory());
        Map<String, List<String>> onTheWatchPath = new TreeMap<>();
        found.forEach((type, methods) -> {
            List<String> early = methods.stream()
                    .filter(method -> !AFTER_THE_START.containsKey(type + "#" + method))
                    .filter(method -> AFTER_THE_START.keySet().stream().noneMatch(type::startsWith))
                    .toList();
            if (!early.isEmpty()) {
                onTheWatchPath.put(type, early);
            }
        });
        assertEquals(Map.of(), onTheWatchPath,
                "lambdas or method references (class: methods) on the path that runs while a clean application is watched");
    }

    @Test
    void theScanFindsALambdaWhereThereIsOne() throws Exception {
        // The scan itself: this test class is compiled with lambdas in it.
        Path tests = Path.of(NoLambdaOnTheWatchPathTest.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        Map<String, List<String>> found = lambdaSites(tests);
        assertTrue(found.containsKey("dev/closewait/agent/NoLambdaOnTheWatchPathTest"), found.keySet().toString());
    }

    private static Path classesDirectory() throws URISyntaxException {
        Path classes = Path.of(AgentStart.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(classes.resolve("dev/closewait/core")), classes + " holds no agent classes");
        return classes;
    }

    /** Class (internal name) to the methods in it that link a lambda or method reference. */
    private static Map<String, List<String>> lambdaSites(Path root) throws IOException {
        Map<String, List<String>> sites = new TreeMap<>();
        List<Path> classFiles;
        try (Stream<Path> files = Files.walk(root)) {
            classFiles = files.filter(file -> file.toString().endsWith(".class")).toList();
        }
        for (Path file : classFiles) {
            try (InputStream in = Files.newInputStream(file)) {
                ClassReader reader = new ClassReader(in);
                TreeSet<String> methods = new TreeSet<>();
                reader.accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                     String[] exceptions) {
                        return new MethodVisitor(Opcodes.ASM9) {
                            @Override
                            public void visitInvokeDynamicInsn(String indyName, String indyDescriptor,
                                                               Handle bootstrap, Object... arguments) {
                                if (bootstrap.getOwner().equals("java/lang/invoke/LambdaMetafactory")) {
                                    methods.add(name);
                                }
                            }
                        };
                    }
                }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
                if (!methods.isEmpty()) {
                    sites.put(reader.getClassName(), new ArrayList<>(methods));
                }
            }
        }
        return sites;
    }
}
