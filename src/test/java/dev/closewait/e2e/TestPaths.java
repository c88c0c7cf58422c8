package dev.closewait.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Where the build put what the suite needs; set by Maven (see the root pom). */
public final class TestPaths {

    private TestPaths() {
    }

    public static Path agentJar() {
        Path jar = Path.of(required("closewait.agent.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no agent jar at " + jar + ": build with mvn -B verify");
        }
        return jar;
    }

    public static Path workDir() {
        return Path.of(System.getProperty("closewait.test.work", "target/e2e"));
    }

    /**
     * This test JVM's class path (the scenarios and the libraries they use) without the agent jar, which a child
     * gets through -javaagent only, as users run it, and without Logback: slf4j-simple is the scenarios' binding.
     */
    public static String classPath() {
        return classPathWithout("closewait-agent");
    }

    /** The class path with Logback as the SLF4J binding instead of slf4j-simple. */
    public static String classPathWithLogback() {
        return entries("slf4j-simple", true);
    }

    /** The class path without entries whose file name contains the fragment (and without Logback). */
    public static String classPathWithout(String fragment) {
        return entries(fragment, false);
    }

    private static String entries(String without, boolean logback) {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().contains(without))
                .filter(entry -> logback || !Path.of(entry).getFileName().toString().startsWith("logback-"))
                .filter(entry -> !entry.contains("agent" + File.separator + "target"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set: run through Maven");
        }
        return value;
    }
}
