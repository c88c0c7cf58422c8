package dev.closewait.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** enabled=false, the config file, and where each effective value came from. */
class ConfigSourcesTest {

    @TempDir
    Path temp;

    private static Properties properties(String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void enabledFalseFromAnySourceTurnsTheAgentOff() {
        assertFalse(OptionsParser.parse("enabled=false", new Properties(), Map.of()).enabled());
        assertFalse(OptionsParser.parse("", properties("closewait.enabled", "false"), Map.of()).enabled());
        assertFalse(OptionsParser.parse("", new Properties(), Map.of("CLOSEWAIT_ENABLED", "off")).enabled());
        assertTrue(OptionsParser.parse("", new Properties(), Map.of()).enabled());
        ParsedOptions argumentWins = OptionsParser.parse("enabled=true", properties("closewait.enabled", "false"),
                Map.of());
        assertTrue(argumentWins.enabled());
        assertEquals("agent argument", argumentWins.source("enabled"));
    }

    @Test
    void aBadEnabledValueIsReportedAndKeepsTheAgentOn() {
        ParsedOptions parsed = OptionsParser.parse("enabled=maybe", new Properties(), Map.of());
        assertTrue(parsed.enabled());
        assertEquals(1, parsed.problems().size(), parsed.problems().toString());
        assertTrue(parsed.problems().get(0).contains("'enabled' has invalid value 'maybe'"), parsed.problems().get(0));
    }

    @Test
    void theConfigFileIsTheWeakestSourceAndEachValueSaysWhereItCameFrom() throws Exception {
        Path file = Files.writeString(temp.resolve("closewait.properties"),
                "# ops defaults\ngrace=10s\nstack-depth=7\nclosewait.kernel=off\nmetrics-sites=4\n");
        ParsedOptions parsed = OptionsParser.parse("config=" + file + ",metrics-sites=2",
                properties("closewait.stack-depth", "9"), Map.of("CLOSEWAIT_GRACE", "20s"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofSeconds(20), parsed.options().grace());
        assertEquals("environment CLOSEWAIT_GRACE", parsed.source("grace"));
        assertEquals(9, parsed.options().stackDepth());
        assertEquals("-Dclosewait.stack-depth", parsed.source("stack-depth"));
        assertFalse(parsed.options().kernel());
        assertEquals("config file " + file, parsed.source("kernel"));
        assertEquals(2, parsed.options().metrics().sites());
        assertEquals("agent argument", parsed.source("metrics-sites"));
        assertEquals("default", parsed.source("report"));
        assertEquals("agent argument", parsed.source("config"));
    }

    @Test
    void errorsInTheConfigFileAreReportedLikeAnyOption() throws Exception {
        Path file = Files.writeString(temp.resolve("c.properties"), "grace=soon\ncolour=blue\n");
        ParsedOptions parsed = OptionsParser.parse("", properties("closewait.config", file.toString()), Map.of());

        assertEquals(AgentOptions.DEFAULT_GRACE, parsed.options().grace());
        assertEquals(2, parsed.problems().size(), parsed.problems().toString());
        assertTrue(parsed.problems().stream().anyMatch(p -> p.contains("unknown option 'colour'")), parsed.problems()
                .toString());
        assertTrue(parsed.problems().stream().anyMatch(p -> p.contains("'grace' has invalid value 'soon'")),
                parsed.problems().toString());
    }

    @Test
    void aKeyGivenTwiceInTheAgentArgumentIsSaidOnceAndTheLastValidValueCounts() {
        ParsedOptions parsed = OptionsParser.parse("grace=1s,report=a.jsonl,grace=2s,grace=3s", new Properties(),
                Map.of());

        assertEquals(Duration.ofSeconds(3), parsed.options().grace());
        assertEquals(List.of("closewait: option 'grace' is given more than once in the agent argument; they are read "
                + "in order, and a later valid value replaces an earlier one."), parsed.problems());

        ParsedOptions lastBad = OptionsParser.parse("grace=2s,grace=bad", new Properties(), Map.of());
        assertEquals(Duration.ofSeconds(2), lastBad.options().grace(), "a bad value keeps the earlier one");
        assertEquals(2, lastBad.problems().size(), lastBad.problems().toString());
    }

    /** Repeats are said once per key, so they cannot crowd the real problems out of the ten lines. */
    @Test
    void repeatedKeysDoNotCrowdOutTheRealProblems() {
        ParsedOptions parsed = OptionsParser.parse("grace=1s,".repeat(11) + "stack-depth=0,foo=1", new Properties(),
                Map.of());

        assertEquals(3, parsed.problems().size(), parsed.problems().toString());
        assertTrue(parsed.problems().stream().anyMatch(p -> p.contains("'stack-depth' has invalid value '0'")));
        assertTrue(parsed.problems().stream().anyMatch(p -> p.contains("unknown option 'foo'")));
    }

    /** A file that is not closewait's (10,873 keys once printed 3 MB, one line each, on the host's stderr). */
    @Test
    void aConfigFileFullOfUnknownKeysPrintsTenLinesAndACount() throws Exception {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < 3_000; i++) { // under the 64 KiB limit
            keys.append("spring.key").append(i).append("=x\n");
        }
        Path file = Files.writeString(temp.resolve("application.properties"), keys + "grace=7s\n");
        ParsedOptions parsed = OptionsParser.parse("config=" + file, new Properties(), Map.of());

        assertEquals(Duration.ofSeconds(7), parsed.options().grace(), "the one valid key still applies");
        assertEquals(OptionsParser.MAX_PROBLEM_LINES + 1, parsed.problems().size());
        assertTrue(parsed.problems().get(0).contains("unknown option 'spring.key0'"), parsed.problems().get(0));
        assertEquals("closewait: 2990 more problems with the options were not printed; check the config file and the "
                + "other sources named above.", parsed.problems().get(OptionsParser.MAX_PROBLEM_LINES));
    }

    @Test
    void aMissingOrHugeConfigFileIsOneLineAndTheOtherSourcesApply() throws Exception {
        ParsedOptions missing = OptionsParser.parse("config=" + temp.resolve("nope") + ",grace=5s",
                new Properties(), Map.of());
        assertEquals(Duration.ofSeconds(5), missing.options().grace());
        assertEquals(1, missing.problems().size());
        assertTrue(missing.problems().get(0).startsWith("closewait: option 'config' names a file that cannot be read"),
                missing.problems().get(0));

        Path huge = Files.writeString(temp.resolve("huge"), "#".repeat(ConfigFile.MAX_BYTES + 1));
        ParsedOptions tooLarge = OptionsParser.parse("config=" + huge, new Properties(), Map.of());
        assertTrue(tooLarge.problems().get(0).contains("larger than 64 KiB"), tooLarge.problems().toString());
    }

    @Test
    void effectiveOptionsListEveryKeyWithItsValueAndSource() {
        ParsedOptions parsed = OptionsParser.parse("grace=abc,report=/tmp/r.jsonl", new Properties(), Map.of());
        Map<String, EffectiveOptions.Entry> byKey = new java.util.HashMap<>();
        EffectiveOptions.of(parsed).forEach(entry -> byKey.put(entry.key(), entry));

        assertEquals(OptionsParser.KEYS.size(), byKey.size());
        assertEquals(new EffectiveOptions.Entry("grace", "30s", "default"), byKey.get("grace"));
        assertEquals(new EffectiveOptions.Entry("report", "/tmp/r.jsonl", "agent argument"), byKey.get("report"));
        for (EffectiveOptions.Entry entry : byKey.values()) {
            assertFalse(entry.value().startsWith("("), "every default is named as a user would write it: " + entry);
        }
        assertEquals("off", byKey.get("report-trust").value());
    }

    /** The attach command shows these: a relative report path is the target JVM's, resolved there. */
    @Test
    void aRelativeReportPathIsShownAbsolute() {
        ParsedOptions parsed = OptionsParser.parse("report=rel.jsonl", new Properties(), Map.of());

        EffectiveOptions.Entry report = EffectiveOptions.of(parsed).stream()
                .filter(entry -> entry.key().equals("report")).findFirst().orElseThrow();
        assertEquals(Path.of("rel.jsonl").toAbsolutePath().toString(), report.value());
    }
}
