package dev.closewait.e2e;

import dev.closewait.e2e.scenarios.ArchivedApplication;
import dev.closewait.e2e.scenarios.Scenario;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent leaves the JVM's start-up output and its class-data sharing as they are: no "Sharing is only supported
 * for boot loader classes" warning (which appending to the bootstrap class path causes), and an application class
 * archived with {@code -XX:ArchiveClassesAtExit} (AppCDS, as Spring Boot's CDS support uses) is still loaded from the
 * archive under the agent.
 */
class ClassDataSharingTest {

    private static final String SHARING_WARNING = "Sharing is only supported";
    private static final long TIMEOUT_SECONDS = 60;

    @TestFactory
    Stream<DynamicTest> startsWithoutAnyJvmWarning() {
        return PerJdk.each(jdk -> {
            Path dir = workDir(jdk, "no-warning");
            Path jar = applicationJar(dir);
            Result run = run(jdk, dir, List.of("-javaagent:" + TestPaths.agentJar(), "-cp", jar.toString(),
                    ArchivedApplication.class.getName()));
            assertTrue(run.stdout.contains("ARCHIVED APPLICATION read 1"), run.toString());
            assertTrue(run.stderr.contains("closewait: watching sockets"), run.toString());
            assertFalse(run.stderr.contains(SHARING_WARNING), run.toString());
            assertFalse(run.stderr.contains("warning"), run.toString());
        });
    }

    @TestFactory
    Stream<DynamicTest> anArchivedApplicationClassStillLoadsFromTheArchive() {
        return PerJdk.each(jdk -> {
            Path dir = workDir(jdk, "archive");
            Path jar = applicationJar(dir);
            Path archive = dir.resolve("app.jsa");
            List<String> application = List.of("-cp", jar.toString(), ArchivedApplication.class.getName());
            Result dump = run(jdk, dir, concat(List.of("-XX:ArchiveClassesAtExit=" + archive), application));
            assertTrue(Files.isRegularFile(archive), dump.toString());

            List<String> useArchive = List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info");
            Result without = run(jdk, dir, concat(useArchive, application));
            assertEquals("shared objects file", source(without, ArchivedApplication.class),
                    "the archive works without the agent: " + without);

            Result with = run(jdk, dir, concat(useArchive,
                    concat(List.of("-javaagent:" + TestPaths.agentJar()), application)));
            assertTrue(with.stderr.contains("closewait: watching sockets"), with.toString());
            assertTrue(with.stdout.contains("ARCHIVED APPLICATION read 1"), with.toString());
            assertEquals("shared objects file", source(with, ArchivedApplication.class), with.toString());
            assertEquals("shared objects file", source(with, Scenario.class), with.toString());
            assertFalse((with.stdout + with.stderr).contains(SHARING_WARNING), with.toString());
        });
    }

    /** Where -Xlog:class+load says the class came from, without the "(top)" of a dynamic archive. */
    private static String source(Result run, Class<?> type) {
        String marker = "] " + type.getName() + " source: ";
        for (String line : run.stdout.lines().toList()) {
            int at = line.indexOf(marker);
            if (at >= 0) {
                return line.substring(at + marker.length()).replace(" (top)", "").trim();
            }
        }
        return "not loaded";
    }

    /** Class data sharing archives classes from jar files only, not from directories. */
    private static Path applicationJar(Path dir) throws IOException {
        return TestJars.write(dir.resolve("application.jar"), null, List.of(ArchivedApplication.class, Scenario.class));
    }

    private static Path workDir(Jdk jdk, String name) throws IOException {
        Path dir = TestPaths.workDir().resolve("cds-" + name + "-" + jdk.major());
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    private static Result run(Jdk jdk, Path dir, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.addAll(arguments);
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("timed out: " + command);
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
