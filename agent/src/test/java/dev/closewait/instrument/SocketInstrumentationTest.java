package dev.closewait.instrument;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every instrumentation rule matches a method of the JDK it runs on, the transformed classes pass ASM's verifier,
 * every inserted call resolves to a public static hook, and every JDK method keeps its hook: on this test JVM's
 * JDK, and in a child JVM of every other JDK 17, 21 or 25 under test ({@code -Dtest.jdks}, as for the end-to-end
 * suite; CI pins 17 and 25).
 */
class SocketInstrumentationTest {

    @Test
    void everyRuleMatchesVerifiesAndResolvesOnThisJdk() throws IOException {
        assertEquals(List.of(), InstrumentationCheck.problems());
    }

    @Test
    void classesWithoutRulesAreLeftUnchanged() throws IOException {
        assertNull(SocketInstrumentation.transform("java/net/Socket", InstrumentationCheck.classFile("java/net/Socket")));
    }

    @TestFactory
    Stream<DynamicTest> everyRuleMatchesVerifiesAndResolvesOnEveryOtherJdkUnderTest() {
        return otherJdks().entrySet().stream().map(jdk -> DynamicTest.dynamicTest("JDK " + jdk.getKey(), () -> {
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Process child = new ProcessBuilder(jdk.getValue().resolve("bin/java").toString(), "-cp", classPath,
                    InstrumentationCheck.class.getName()).redirectErrorStream(true).start();
            String output;
            try (InputStream in = child.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish: " + output);
            assertEquals(0, child.exitValue(), output);
            assertTrue(output.startsWith("OK "), output);
        }));
    }

    /**
     * The JDKs under test other than this one, by major version: the homes listed in {@code closewait.test.jdks}, or
     * with "auto" every JDK 17, 21 or 25 under /usr/lib/jvm. A listed home that is no JDK fails the test run.
     */
    private static Map<Integer, Path> otherJdks() {
        String configured = System.getProperty("closewait.test.jdks", "auto").trim();
        List<Path> homes = new ArrayList<>();
        boolean auto = configured.isEmpty() || configured.equals("auto");
        if (auto) {
            File[] all = new File("/usr/lib/jvm").listFiles();
            if (all != null) {
                Arrays.stream(all).sorted().map(File::toPath).forEach(homes::add);
            }
        } else {
            Arrays.stream(configured.split(",")).map(String::trim).map(Path::of).forEach(homes::add);
        }
        int current = Runtime.version().feature();
        Map<Integer, Path> byMajor = new LinkedHashMap<>();
        for (Path home : homes) {
            int major = major(home);
            if (!auto && (major < 0 || !Files.isExecutable(home.resolve("bin/java")))) {
                throw new IllegalStateException("closewait.test.jdks names " + home + ", which is not a JDK");
            }
            if (major != current && List.of(17, 21, 25).contains(major) && Files.isExecutable(home.resolve("bin/java"))) {
                byMajor.putIfAbsent(major, home);
            }
        }
        return byMajor;
    }

    private static int major(Path home) {
        Properties release = new Properties();
        try (InputStream in = Files.newInputStream(home.resolve("release"))) {
            release.load(in);
            String version = release.getProperty("JAVA_VERSION", "").replace("\"", "");
            return Integer.parseInt(version.split("[.+-]")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
