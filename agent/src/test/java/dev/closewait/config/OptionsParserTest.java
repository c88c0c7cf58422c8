package dev.closewait.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsParserTest {

    private static final String ALLOWED_KEYS = "grace, report, report-max-size, stack-depth, stack-sample, include, "
            + "exclude, log, kernel, metrics-port, metrics-host, metrics-sites, enabled, config, churn, churn-warn, "
            + "app-packages, library-packages, report-trust";

    private static ParsedOptions parse(String agentArgs) {
        return OptionsParser.parse(agentArgs, new Properties(), Map.of());
    }

    private static Properties properties(String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    /** The single problem, checked to name every fragment. */
    private static void assertOneProblem(ParsedOptions parsed, String... fragments) {
        assertEquals(1, parsed.problems().size(), parsed.problems().toString());
        String problem = parsed.problems().get(0);
        for (String fragment : fragments) {
            assertTrue(problem.contains(fragment), "'" + problem + "' should mention " + fragment);
        }
    }

    // defaults

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", ",", ",,,", " , , "})
    void usesTheDefaultsForAnEmptyArgument(String agentArgs) {
        ParsedOptions parsed = parse(agentArgs);

        assertEquals(AgentOptions.defaults(), parsed.options());
        assertEquals(List.of(), parsed.problems());
    }

    @Test
    void usesTheDefaultsWithoutAnyArgument() {
        ParsedOptions parsed = parse(null);

        AgentOptions options = parsed.options();
        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofSeconds(30), options.grace());
        assertNull(options.report());
        assertEquals(40, options.stackDepth());
        assertEquals(List.of(), options.include());
        assertEquals(List.of(), options.exclude());
        assertEquals(LogTarget.AUTO, options.log());
        assertEquals(new MetricsOptions(0, "127.0.0.1", 0), options.metrics());
        assertTrue(!options.metrics().endpoint());
    }

    // valid values

    @ParameterizedTest(name = "grace={0}")
    @CsvSource({
            "500ms, PT0.5S",
            "10s, PT10S",
            "2m, PT2M",
            "1h, PT1H",
            "100ms, PT0.1S",
            "24h, PT24H",
            "1440m, PT24H",
            "10S, PT10S",
            "2M, PT2M",
            "' 10s ', PT10S"})
    void acceptsAGraceWithUnit(String value, Duration expected) {
        ParsedOptions parsed = parse("grace=" + value);

        assertEquals(List.of(), parsed.problems());
        assertEquals(expected, parsed.options().grace());
    }

    @Test
    void acceptsAReportPath() {
        ParsedOptions parsed = parse("report=build/closewait/leaks.jsonl");

        assertEquals(List.of(), parsed.problems());
        assertEquals(Path.of("build/closewait/leaks.jsonl"), parsed.options().report());
    }

    @ParameterizedTest(name = "stack-depth={0}")
    @ValueSource(ints = {1, 7, 40, 1024})
    void acceptsAStackDepthFromOneTo1024(int depth) {
        ParsedOptions parsed = parse("stack-depth=" + depth);

        assertEquals(List.of(), parsed.problems());
        assertEquals(depth, parsed.options().stackDepth());
    }

    @Test
    void splitsIncludeAndExcludeAtColons() {
        ParsedOptions parsed = parse("include=a.b:c.D,exclude=org.example.:$Proxy:_x.y$Z: ünï.Kläss ");

        assertEquals(List.of(), parsed.problems());
        assertEquals(List.of("a.b", "c.D"), parsed.options().include());
        assertEquals(List.of("org.example.", "$Proxy", "_x.y$Z", "ünï.Kläss"), parsed.options().exclude());
    }

    @ParameterizedTest(name = "log={0}")
    @CsvSource({"auto, AUTO", "AUTO, AUTO", "stderr, STDERR", "StdErr, STDERR", "off, OFF", "OFF, OFF"})
    void acceptsALogTargetInAnyCase(String value, LogTarget expected) {
        ParsedOptions parsed = parse("log=" + value);

        assertEquals(List.of(), parsed.problems());
        assertEquals(expected, parsed.options().log());
    }

    @Test
    void readsEveryOptionFromOneArgument() {
        ParsedOptions parsed = parse(" grace = 2m , report=out.jsonl, stack-depth=12,include=com.acme,exclude=com.acme.test,"
                + "log=stderr,kernel=off,report-max-size=5m");

        assertEquals(List.of(), parsed.problems());
        assertEquals(new AgentOptions(Duration.ofMinutes(2), Path.of("out.jsonl"), 12, List.of("com.acme"),
                List.of("com.acme.test"), LogTarget.STDERR, false, 5L << 20), parsed.options());
    }

    @ParameterizedTest
    @CsvSource({"1k,1024", "500K,512000", "100m,104857600", "1g,1073741824", "100g,107374182400"})
    void readsTheReportSizeCap(String value, long bytes) {
        ParsedOptions parsed = parse("report-max-size=" + value);

        assertEquals(List.of(), parsed.problems());
        assertEquals(bytes, parsed.options().reportMaxBytes());
    }

    @ParameterizedTest(name = "report-max-size=''{0}''")
    @ValueSource(strings = {"", "0k", "1", "1b", "101g", "-5m", "12 m", "lots", "9999999999m"})
    void rejectsABadReportSizeCapAndKeepsTheDefault(String value) {
        ParsedOptions parsed = parse("report-max-size=" + value);

        assertOneProblem(parsed, "'report-max-size'", "'" + value + "'", "from 1k to 100g", "using 100m");
        assertEquals(AgentOptions.DEFAULT_REPORT_MAX_BYTES, parsed.options().reportMaxBytes());
    }

    @Test
    void readsEveryMetricsOptionFromOneArgument() {
        ParsedOptions parsed = parse("metrics-port=9464,metrics-host=0.0.0.0,metrics-sites=20");

        assertEquals(List.of(), parsed.problems());
        assertEquals(new MetricsOptions(9464, "0.0.0.0", 20), parsed.options().metrics());
    }

    @ParameterizedTest(name = "metrics-port={0}")
    @ValueSource(ints = {1, 9464, 65535})
    void acceptsAMetricsPortFromOneTo65535(int port) {
        ParsedOptions parsed = parse("metrics-port=" + port);

        assertEquals(List.of(), parsed.problems());
        assertEquals(port, parsed.options().metrics().port());
        assertTrue(parsed.options().metrics().endpoint());
    }

    @ParameterizedTest(name = "metrics-host={0}")
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "::1", "[::1]", "::", "localhost", "metrics.internal-host.example",
            "fe80::1%eth0"})
    void acceptsAMetricsHostNameOrAddress(String host) {
        ParsedOptions parsed = parse("metrics-host=" + host);

        assertEquals(List.of(), parsed.problems());
        assertEquals(host, parsed.options().metrics().host());
    }

    @ParameterizedTest(name = "metrics-sites={0}")
    @ValueSource(ints = {0, 1, 20, 100})
    void acceptsMetricsSitesFromZeroTo100(int sites) {
        ParsedOptions parsed = parse("metrics-sites=" + sites);

        assertEquals(List.of(), parsed.problems());
        assertEquals(sites, parsed.options().metrics().sites());
    }

    @ParameterizedTest(name = "metrics-port=''{0}''")
    @ValueSource(strings = {"", "0", "-1", "65536", "99999999999", "http", "94 64", "9464.0"})
    void rejectsABadMetricsPortAndServesNoEndpoint(String value) {
        ParsedOptions parsed = parse("metrics-port=" + value);

        assertOneProblem(parsed, "'metrics-port'", "'" + value + "'", "from 1 to 65535", "no metrics endpoint");
        assertEquals(0, parsed.options().metrics().port());
    }

    @Test
    void rejectsABadMetricsPortArgumentAndKeepsThePropertysPort() {
        ParsedOptions parsed = OptionsParser.parse("metrics-port=huge", properties("closewait.metrics-port", "9100"),
                Map.of());

        assertOneProblem(parsed, "'metrics-port'", "'huge'", "using 9100");
        assertEquals(9100, parsed.options().metrics().port());
    }

    @ParameterizedTest(name = "metrics-host=''{0}''")
    @ValueSource(strings = {"", "local host", "http://127.0.0.1", "a/b", "x,y"})
    void rejectsABadMetricsHostAndKeepsLoopback(String value) {
        ParsedOptions parsed = OptionsParser.parse(null, properties("closewait.metrics-host", value), Map.of());

        assertOneProblem(parsed, "'metrics-host'", "'" + value.trim() + "'", "host name or IP address",
                "using 127.0.0.1");
        assertEquals("127.0.0.1", parsed.options().metrics().host());
    }

    @ParameterizedTest(name = "metrics-sites=''{0}''")
    @ValueSource(strings = {"", "-1", "101", "1000", "many", "2.5"})
    void rejectsBadMetricsSitesAndKeepsNoSiteTag(String value) {
        ParsedOptions parsed = parse("metrics-sites=" + value);

        assertOneProblem(parsed, "'metrics-sites'", "'" + value + "'", "from 0 (no site tag) to 100", "using 0");
        assertEquals(0, parsed.options().metrics().sites());
    }

    @Test
    void readsMetricsOptionsFromTheEnvironment() {
        ParsedOptions parsed = OptionsParser.parse(null, new Properties(),
                Map.of("CLOSEWAIT_METRICS_PORT", "9464", "CLOSEWAIT_METRICS_HOST", "::1",
                        "CLOSEWAIT_METRICS_SITES", "10"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(new MetricsOptions(9464, "::1", 10), parsed.options().metrics());
    }

    @ParameterizedTest
    @CsvSource({"on,true", "OFF,false", "true,true", "false,false"})
    void readsTheKernelSwitch(String value, boolean expected) {
        ParsedOptions parsed = parse("kernel=" + value);

        assertEquals(List.of(), parsed.problems());
        assertEquals(expected, parsed.options().kernel());
    }

    @Test
    void namesTheAllowedValuesOfABadKernelSwitch() {
        ParsedOptions parsed = parse("kernel=maybe");

        assertEquals(List.of("closewait: option 'kernel' has invalid value 'maybe': expected on or off; using on."),
                parsed.problems());
        assertTrue(parsed.options().kernel());
    }

    // precedence

    @Test
    void readsTheEnvironment() {
        ParsedOptions parsed = OptionsParser.parse(null, new Properties(),
                Map.of("CLOSEWAIT_GRACE", "1m", "CLOSEWAIT_STACK_DEPTH", "7", "CLOSEWAIT_LOG", "off"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofMinutes(1), parsed.options().grace());
        assertEquals(7, parsed.options().stackDepth());
        assertEquals(LogTarget.OFF, parsed.options().log());
    }

    @Test
    void prefersSystemPropertiesToTheEnvironment() {
        ParsedOptions parsed = OptionsParser.parse(null,
                properties("closewait.grace", "2m", "closewait.stack-depth", "8"),
                Map.of("CLOSEWAIT_GRACE", "1m", "CLOSEWAIT_STACK_DEPTH", "7", "CLOSEWAIT_LOG", "off"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofMinutes(2), parsed.options().grace());
        assertEquals(8, parsed.options().stackDepth());
        assertEquals(LogTarget.OFF, parsed.options().log(), "still from the environment");
    }

    @Test
    void prefersTheAgentArgumentToPropertiesAndEnvironment() {
        ParsedOptions parsed = OptionsParser.parse("grace=3m",
                properties("closewait.grace", "2m", "closewait.stack-depth", "8"),
                Map.of("CLOSEWAIT_GRACE", "1m", "CLOSEWAIT_STACK_DEPTH", "7"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofMinutes(3), parsed.options().grace());
        assertEquals(8, parsed.options().stackDepth(), "still from the properties");
    }

    @Test
    void doesNotComplainAboutABadValueThatIsOverridden() {
        ParsedOptions parsed = OptionsParser.parse("grace=5s", properties("closewait.grace", "soon"),
                Map.of("CLOSEWAIT_GRACE", "later"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofSeconds(5), parsed.options().grace());
    }

    @Test
    void reportsABadEnvironmentValueAndKeepsTheDefault() {
        ParsedOptions parsed = OptionsParser.parse(null, new Properties(), Map.of("CLOSEWAIT_STACK_DEPTH", "deep"));

        assertOneProblem(parsed, "'stack-depth'", "'deep'", "from 1 to 1024");
        assertEquals(40, parsed.options().stackDepth());
    }

    @Test
    void ignoresUnrelatedPropertiesAndEnvironment() {
        ParsedOptions parsed = OptionsParser.parse(null,
                properties("closewait", "x", "closewait.", "x", "java.version", "17", "grace", "1s"),
                Map.of("GRACE", "1s", "CLOSEWAIT", "x", "PATH", "/bin"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(AgentOptions.defaults(), parsed.options());
    }

    // bad values

    @ParameterizedTest(name = "grace=''{0}''")
    @ValueSource(strings = {"", "-1s", "0", "0s", "0ms", "99ms", "25h", "1441m", "86400001ms", "99999999999h",
            "abc", "10", "10 s", "1.5s", "s", "10sec", "10d", "PT10S", "+10s", "１０s"})
    void rejectsABadGraceAndKeepsTheDefault(String value) {
        ParsedOptions parsed = parse("grace=" + value);

        assertOneProblem(parsed, "'grace'", "'" + value.trim() + "'", "500ms, 10s, 2m or 1h", "from 100ms to 24h",
                "using 30s");
        assertEquals(AgentOptions.DEFAULT_GRACE, parsed.options().grace());
    }

    @Test
    void fallsBackToTheEnvironmentsValueWhenTheArgumentIsBad() {
        ParsedOptions parsed = OptionsParser.parse("grace=forever", new Properties(),
                Map.of("CLOSEWAIT_GRACE", "1m"));

        assertOneProblem(parsed, "'grace'", "'forever'", "using 1m");
        assertEquals(Duration.ofMinutes(1), parsed.options().grace());
    }

    @ParameterizedTest(name = "stack-depth=''{0}''")
    @ValueSource(strings = {"", "0", "-1", "1025", "2000", "x", "1.5", "99999999999", "4 0"})
    void rejectsABadStackDepthAndKeepsTheDefault(String value) {
        ParsedOptions parsed = parse("stack-depth=" + value);

        assertOneProblem(parsed, "'stack-depth'", "'" + value + "'", "from 1 to 1024", "using 40");
        assertEquals(AgentOptions.DEFAULT_STACK_DEPTH, parsed.options().stackDepth());
    }

    @ParameterizedTest(name = "include=''{0}''")
    @ValueSource(strings = {"com..x", "com..", ".com", "1com", "com.1x", "com-acme", "com acme", "a.b:c d",
            "com.acme/db", "com.*"})
    void rejectsABadIncludePrefixAndDoesNotFilter(String value) {
        ParsedOptions parsed = parse("include=" + value);

        assertOneProblem(parsed, "'include'", "'" + value + "'", "separated by ':'", "not filtering");
        assertEquals(List.of(), parsed.options().include());
    }

    @ParameterizedTest(name = "{0}=''{1}''")
    @CsvSource({"include, ':::'", "exclude, ' : : '"})
    void saysSoWhenAFilterValueHoldsNoPrefix(String key, String value) {
        ParsedOptions parsed = parse(key + "=" + value);

        assertOneProblem(parsed, "'" + key + "'", "no prefix", "separated by ':'", "not filtering");
        assertEquals(List.of(), key.equals("include") ? parsed.options().include() : parsed.options().exclude());
    }

    /** A method name never matches (frames match by class), so include would silently drop every report. */
    @Test
    void warnsOfAPrefixThatEndsInAMethodNameAndKeepsIt() {
        ParsedOptions parsed = parse("include=com.acme.Ingest.ingest:org.example.");

        assertOneProblem(parsed, "'include'", "'com.acme.Ingest.ingest'", "method name", "use com.acme.Ingest",
                "Kept as given");
        assertEquals(List.of("com.acme.Ingest.ingest", "org.example."), parsed.options().include());
        assertEquals(null, OptionsParser.methodOwner("com.acme.ingest"), "a package");
        assertEquals(null, OptionsParser.methodOwner("com.acme.Ingest"), "a class");
        assertEquals(null, OptionsParser.methodOwner("com.acme.Ingest."), "a trailing dot: a package prefix");
        assertEquals("Ingest", OptionsParser.methodOwner("Ingest.ingest"));
    }

    @Test
    void acceptsAVeryLongPrefixList() {
        String longPrefix = "a.".repeat(5_000) + "Z";

        ParsedOptions parsed = assertDoesNotThrow(() -> parse("exclude=" + longPrefix + ":b."));

        assertEquals(List.of(), parsed.problems());
        assertEquals(List.of(longPrefix, "b."), parsed.options().exclude());
    }

    @Test
    void rejectsABadExcludePropertyAndKeepsTheEnvironmentsGoodOne() {
        ParsedOptions parsed = OptionsParser.parse(null, properties("closewait.exclude", "com..bad"),
                Map.of("CLOSEWAIT_EXCLUDE", "com.good"));

        assertOneProblem(parsed, "'exclude'", "'com..bad'", "separated by ':'", "keeping com.good");
        assertEquals(List.of("com.good"), parsed.options().exclude());
    }

    @ParameterizedTest(name = "log=''{0}''")
    @ValueSource(strings = {"", "verbose", "on", "stdout", "std err", "slf4j"})
    void rejectsABadLogTargetAndKeepsAuto(String value) {
        ParsedOptions parsed = parse("log=" + value);

        assertOneProblem(parsed, "'log'", "'" + value + "'", "auto, stderr or off", "using auto");
        assertEquals(LogTarget.AUTO, parsed.options().log());
    }

    @Test
    void rejectsAnEmptyReportPath() {
        ParsedOptions parsed = parse("report=  ");

        assertOneProblem(parsed, "'report'", "JSON Lines file");
        assertNull(parsed.options().report());
    }

    @Test
    void rejectsAReportPathTheFileSystemCannotHold() {
        ParsedOptions parsed = parse("report=leaks\0.jsonl");

        assertOneProblem(parsed, "'report'", "invalid path", "JSON Lines file");
        assertNull(parsed.options().report());
    }

    @Test
    void rejectsAnUnknownKeyAndListsTheAllowedOnes() {
        ParsedOptions parsed = parse("colour=red,grace=5s");

        assertOneProblem(parsed, "unknown option 'colour'", ALLOWED_KEYS);
        assertEquals(Duration.ofSeconds(5), parsed.options().grace(), "the good option still counts");
    }

    @Test
    void rejectsAnUnknownSystemProperty() {
        ParsedOptions parsed = OptionsParser.parse(null, properties("closewait.graec", "5s"), Map.of());

        assertOneProblem(parsed, "unknown option 'graec'", ALLOWED_KEYS);
        assertEquals(AgentOptions.defaults(), parsed.options());
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"foo", "=5s", " = 5s"})
    void rejectsAnArgumentWithoutKeyAndValue(String pair) {
        ParsedOptions parsed = parse(pair + ",stack-depth=9");

        assertOneProblem(parsed, "'" + pair.trim() + "'", "key=value", ALLOWED_KEYS);
        assertEquals(9, parsed.options().stackDepth(), "the good option still counts");
    }

    @Test
    void reportsEachBadOptionOnItsOwnLine() {
        ParsedOptions parsed = parse("grace=0,stack-depth=0,log=loud,bogus");

        assertEquals(4, parsed.problems().size(), parsed.problems().toString());
        assertEquals(AgentOptions.defaults(), parsed.options());
    }

    // robustness

    private static final List<String> NASTY = Arrays.asList(
            null, "", " ", ",,,", "=", "==", "=,=", "grace=", "grace==", "=grace", "grace==10s", "grace=10s=20s",
            ",grace=10s,", "grace=10s,,stack-depth=", "\u0000", "grace=\u0000", "report=\u0000", "report=/\u0000/x",
            "include=:::", "include=..", "exclude=:com", "log=\uD83D\uDE00", "ключ=значение", "grace=１０s",
            "stack-depth=２", "\uD800=\uDC00", "grace=" + "9".repeat(1000) + "h", "stack-depth=" + "9".repeat(1000),
            "a".repeat(10_000), "include=" + "a.".repeat(5_000) + "!", "\t\n\r", "grace=10s\n", "GRACE=10s",
            "report", "log=off,log", "grace=-0ms", "\\,\\=", "%s%n", "${jndi:ldap://x}");

    @Test
    void neverThrowsOnStrangeInput() {
        for (String nasty : NASTY) {
            ParsedOptions parsed = assertDoesNotThrow(() -> parse(nasty), () -> "agent argument " + nasty);
            assertSane(parsed, nasty);
        }
        for (String key : OptionsParser.KEYS) {
            for (String nasty : NASTY) {
                if (nasty == null) {
                    continue;
                }
                Map<String, String> environment = new HashMap<>();
                environment.put(OptionsParser.ENV_PREFIX + key.toUpperCase().replace('-', '_'), nasty);
                ParsedOptions fromEnvironment = assertDoesNotThrow(
                        () -> OptionsParser.parse(null, new Properties(), environment), () -> key + " from env");
                assertSane(fromEnvironment, nasty);
                ParsedOptions fromProperty = assertDoesNotThrow(() -> OptionsParser.parse(null,
                        properties(OptionsParser.PROPERTY_PREFIX + key, nasty), Map.of()), () -> key + " property");
                assertSane(fromProperty, nasty);
                ParsedOptions fromArgument = assertDoesNotThrow(() -> parse(key + "=" + nasty), () -> key + "=");
                assertSane(fromArgument, nasty);
            }
        }
    }

    private static void assertSane(ParsedOptions parsed, String input) {
        assertNotNull(parsed.options(), input);
        AgentOptions options = parsed.options();
        assertTrue(options.grace().compareTo(Duration.ofMillis(100)) >= 0
                && options.grace().compareTo(Duration.ofHours(24)) <= 0, () -> "grace for " + input);
        assertTrue(options.stackDepth() >= 1 && options.stackDepth() <= 1024, () -> "stack depth for " + input);
        assertTrue(options.metrics().port() >= 0 && options.metrics().port() <= 65535, () -> "port for " + input);
        assertTrue(options.metrics().sites() >= 0 && options.metrics().sites() <= 100, () -> "sites for " + input);
        assertTrue(!options.metrics().host().isBlank(), () -> "host for " + input);
        for (String problem : parsed.problems()) {
            assertTrue(problem.startsWith("closewait: "), problem);
        }
        List<String> all = new ArrayList<>(options.include());
        all.addAll(options.exclude());
        for (String prefix : all) {
            assertTrue(!prefix.isBlank(), () -> "blank prefix for " + input);
        }
    }

    // formatting

    @ParameterizedTest(name = "{0} is shown as {1}")
    @CsvSource({"PT0.1S, 100ms", "PT0.5S, 500ms", "PT1.5S, 1500ms", "PT10S, 10s", "PT90S, 90s", "PT2M, 2m",
            "PT1H, 1h", "PT24H, 24h", "PT61M, 61m"})
    void formatsADurationInTheLargestWholeUnit(Duration duration, String expected) {
        assertEquals(expected, OptionsParser.format(duration));
    }

    @Test
    void anEmptyReportArgumentKeepsThePathFromTheEnvironmentAndSaysSo() {
        ParsedOptions parsed = OptionsParser.parse("report=", new Properties(), Map.of("CLOSEWAIT_REPORT", "env.jsonl"));

        assertOneProblem(parsed, "'report'", "is empty", "using env.jsonl");
        assertEquals(Path.of("env.jsonl"), parsed.options().report());
    }

    @ParameterizedTest
    @CsvSource({"1,1", "10,10", "1000,1000"})
    void readsTheStackSample(String value, int every) {
        ParsedOptions parsed = parse("stack-sample=" + value);

        assertEquals(List.of(), parsed.problems());
        assertEquals(every, parsed.options().stackSample());
    }

    @ParameterizedTest(name = "stack-sample=''{0}''")
    @ValueSource(strings = {"", "0", "-3", "1001", "ten", "1.5"})
    void rejectsABadStackSampleAndRecordsEveryStack(String value) {
        ParsedOptions parsed = parse("stack-sample=" + value);

        assertOneProblem(parsed, "'stack-sample'", "'" + value + "'", "from 1", "to 1000", "using 1");
        assertEquals(1, parsed.options().stackSample());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stack-depth=+5", "stack-depth=\u0665", "stack-sample=+5", "stack-sample=\u0661\u0660",
            "metrics-port=+9100", "metrics-port=\uff19\uff11\uff10\uff10", "metrics-sites=\u0967"})
    void takesOnlyAsciiDigitsWithoutASignAsANumber(String argument) {
        ParsedOptions parsed = parse(argument);

        assertOneProblem(parsed, "has invalid value");
        assertEquals(AgentOptions.defaults(), parsed.options());
    }

    @Test
    void echoesAHostileValueEscapedAndBounded() {
        String forged = "5\nclosewait: watching sockets\u001b[2J" + "x".repeat(5_000);

        ParsedOptions parsed = parse("stack-depth=" + forged + ",no\u001b[31mkey=1");

        assertEquals(2, parsed.problems().size(), parsed.problems().toString());
        String value = parsed.problems().get(1);
        assertTrue(value.contains("'5\\nclosewait: watching sockets\\u001b[2Jxxx"), value);
        assertTrue(value.contains("(5033 characters)'"), value);
        assertTrue(value.length() < 600, value.length() + " characters");
        String key = parsed.problems().get(0);
        assertTrue(key.contains("unknown option 'no\\u001b[31mkey'"), key);
        for (String problem : parsed.problems()) {
            assertTrue(problem.chars().noneMatch(c -> c < 0x20), problem);
        }
    }

    @Test
    void readsReportTrust() {
        assertEquals(false, parse("").options().reportTrust());
        assertEquals(true, parse("report-trust=on").options().reportTrust());
        assertOneProblem(parse("report-trust=yes"), "'report-trust'", "expected on or off");
    }
}
