package dev.closewait.e2e;

import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.EndpointThenMainReturns;
import dev.closewait.e2e.scenarios.ManySitesLeak;
import dev.closewait.e2e.scenarios.MicrometerInChildLoader;
import dev.closewait.e2e.scenarios.NewSiteLeak;
import dev.closewait.e2e.scenarios.micrometer.MicrometerLeakApp;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.assertAgentHealthy;
import static dev.closewait.e2e.E2eAssertions.expectLeaks;
import static dev.closewait.e2e.LeakExpectation.eofNotClosed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's meters where dashboards read them: the application's Micrometer, and the Prometheus endpoint. */
class MetricsTest {

    private static final Pattern METER = Pattern.compile("(?m)^METER (\\w+) (\\S+) (\\S+) (\\S+) (\\S+) (.+)$");
    private static final List<String> METER_NAMES = List.of("closewait.leaks", "closewait.sockets.leaked",
            "closewait.sockets.tracked", "closewait.kernel.sockets", "closewait.agent.errors");
    private static final List<String> PROMETHEUS_NAMES = List.of("closewait_leaks_total",
            "closewait_sockets_leaked_sockets", "closewait_sockets_tracked_sockets", "closewait_kernel_sockets",
            "closewait_agent_errors_total");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestFactory
    Stream<DynamicTest> anApplicationsGlobalRegistrySeesTheCountersMoveWhenItLeaks() {
        return PerJdk.each(jdk -> micrometerApp(ScenarioRun.of(jdk, MicrometerLeakApp.class),
                "(system class loader)"));
    }

    @TestFactory
    Stream<DynamicTest> micrometerInAChildClassLoaderGetsTheMetersToo() {
        String micrometerJars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Path.of(entry).getFileName().toString().contains("micrometer"))
                .collect(Collectors.joining(File.pathSeparator));
        assertFalse(micrometerJars.isEmpty(), "micrometer-core is a test dependency");
        return PerJdk.each(jdk -> micrometerApp(ScenarioRun.of(jdk, MicrometerInChildLoader.class)
                .classPath(TestPaths.classPathWithout("micrometer"))
                .argument(micrometerJars), "(class loader webapp)"));
    }

    private static void micrometerApp(ScenarioRun.Builder builder, String where) throws Exception {
        try (ScenarioRun run = builder.start()) {
            ScenarioRun.Ready ready = run.awaitReady();
            String context = "\nstdout:\n" + run.child().stdout() + "\nstderr:\n" + run.child().stderr();
            assertTrue(run.child().stderr().contains(
                    "closewait: meters registered in Micrometer's Metrics.globalRegistry " + where + "."), context);

            Map<String, String[]> bound = meters(run.child().stdout(), "BOUND");
            Map<String, String[]> leaked = meters(run.child().stdout(), "LEAKED");
            assertEquals("0.0", value(bound, "closewait.leaks{kind=eof-not-closed}"), context);
            assertEquals("0.0", value(bound, "closewait.sockets.leaked{kind=eof-not-closed}"), context);
            assertEquals(ready.leaks() + ".0", value(leaked, "closewait.leaks{kind=eof-not-closed}"), context);
            assertEquals(ready.leaks() + ".0", value(leaked, "closewait.sockets.leaked{kind=eof-not-closed}"),
                    context);
            // The meters count inline; the JSON report is written on its own sink thread, a moment later.
            assertEquals(ready.leaks(), run.report().await("leak", ready.leaks()).size(), context);
            for (String name : METER_NAMES) {
                assertTrue(leaked.keySet().stream().anyMatch(id -> id.startsWith(name + "{")), name + context);
            }
            for (Map.Entry<String, String[]> meter : leaked.entrySet()) {
                String[] fields = meter.getValue(); // value, type, base unit, description
                assertFalse(fields[2].equals("null") || fields[3].isBlank(), "unit and description of "
                        + meter.getKey() + context);
                assertEquals(meter.getKey().startsWith("closewait.leaks") || meter.getKey().startsWith(
                        "closewait.agent.errors") || meter.getKey().startsWith("closewait.connections.closed")
                        ? "COUNTER" : "GAUGE", fields[1], meter.getKey() + context);
            }
            assertEquals("0.0", value(leaked, "closewait.agent.errors{}"), context);

            run.child().send("close");
            run.child().awaitStdout(Pattern.compile("DONE close"), Waits.EVENT);
            Map<String, String[]> closed = meters(run.child().stdout(), "CLOSED");
            assertEquals((ready.leaks() - 1) + ".0", value(closed, "closewait.sockets.leaked{kind=eof-not-closed}"),
                    context);
            assertEquals(ready.leaks() + ".0", value(closed, "closewait.leaks{kind=eof-not-closed}"), context);
            run.exitCleanly();
            assertAgentHealthy(run);
        }
    }

    @TestFactory
    Stream<DynamicTest> theEndpointAnswersWithTheMetersAfterALeak() {
        return PerJdk.each(jdk -> {
            int port = TestPorts.freePort();
            try (ScenarioRun run = ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                    .agentOptions("grace=1s,metrics-port=" + port).start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                run.report().await("leak", ready.leaks());
                String leaks = "closewait_leaks_total{kind=\"eof-not-closed\"} " + ready.leaks();
                HttpResponse<String> response = scrapeUntil(port, body -> body.contains(leaks));
                String context = "\nmetrics:\n" + response.body() + "\nstderr:\n" + run.child().stderr();

                assertEquals(200, response.statusCode(), context);
                assertEquals("text/plain; version=0.0.4; charset=utf-8",
                        response.headers().firstValue("Content-Type").orElse(""), context);
                for (String name : PROMETHEUS_NAMES) {
                    assertTrue(response.body().contains("# HELP " + name + " "), name + context);
                    assertTrue(response.body().contains("# TYPE " + name + " "), name + context);
                }
                Map<String, String> samples = samples(response.body());
                assertEquals(String.valueOf(ready.leaks()),
                        samples.get("closewait_sockets_leaked_sockets{kind=\"eof-not-closed\"}"), context);
                assertEquals("0", samples.get("closewait_leaks_total{kind=\"close-wait\"}"), context);
                assertEquals("0", samples.get("closewait_agent_errors_total"), context);
                // The two leaked sockets; not the scrape's connection, which the agent's own server accepted.
                assertEquals(String.valueOf(ready.leaks()), samples.get("closewait_sockets_tracked_sockets"), context);
                assertTrue(samples.containsKey("closewait_kernel_sockets{state=\"close-wait\"}"), context);
                String kernelCloseWait = "closewait_kernel_sockets{state=\"close-wait\"} " + ready.leaks();
                assertTrue(scrapeUntil(port, body -> body.contains(kernelCloseWait)).body().contains(kernelCloseWait),
                        "the kernel's CLOSE_WAIT count" + context);
                assertTrue(run.child().stderr().contains(
                        "closewait: serving metrics at http://127.0.0.1:" + port + "/metrics"), context);

                // The scrapes' connections are never taken for the application's, whatever the kernel shows.
                run.report().holdsAtMost("leak", ready.leaks(), run.agentGrace().multipliedBy(5).dividedBy(2),
                        () -> context);
                assertEquals(ready.leaks(), run.report().leaks().size(), run.report().events() + context);
                assertFalse(run.report().events().toString().contains(":" + port + "\""), run.report().events()
                        + context);
                run.exitCleanly();
                assertAgentHealthy(run);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aPortInUseIsOneLineAndTheApplicationRunsOn() {
        return PerJdk.each(jdk -> {
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                StderrCapture capture = new StderrCapture();
                expectLeaks(ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                                .agentOptions("grace=1s,metrics-port=" + taken.getLocalPort()),
                        AcceptedSocketLeak.class, eofNotClosed("java.net.Socket", "accepted"), capture);
                assertTrue(capture.stderr.contains("closewait: option 'metrics-port' could not be served at "
                        + "http://127.0.0.1:" + taken.getLocalPort() + "/metrics (java.net.BindException: Address "
                        + "already in use); no metrics endpoint, the application is not affected."), capture.stderr);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> theApplicationExitsWhenMainReturnsWhileTheEndpointRuns() {
        return PerJdk.each(jdk -> {
            int port = TestPorts.freePort();
            try (ScenarioRun run = ScenarioRun.of(jdk, EndpointThenMainReturns.class)
                    .agentOptions("grace=1s,metrics-port=" + port).argument(String.valueOf(port)).start()) {
                run.awaitReady();
                assertEquals(java.util.Optional.of(0), run.child().awaitExit(Waits.EVENT), run.child().stderr());
                assertAgentHealthy(run);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> theSiteCapHoldsWithManyDistinctCallSites() {
        return PerJdk.each(jdk -> {
            int port = TestPorts.freePort();
            int sites = 150;
            int cap = 10;
            try (ScenarioRun run = ScenarioRun.of(jdk, ManySitesLeak.class).argument(String.valueOf(sites))
                    .agentOptions("grace=1s,log=off,metrics-sites=" + cap + ",metrics-port=" + port).start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                assertEquals(sites, ready.leaks());
                assertEquals(sites, run.report().await("leak", sites).size(),
                        run.child().stderr());
                HttpResponse<String> response = scrapeUntil(port,
                        body -> sum(samples(body), "closewait_site_leaks_total{") == sites);
                String context = "\nmetrics:\n" + response.body() + "\nstderr:\n" + run.child().stderr();
                Map<String, String> samples = samples(response.body());

                Map<String, String> leaksBySite = new TreeMap<>();
                samples.forEach((series, value) -> {
                    Matcher site = Pattern.compile("closewait_site_leaks_total\\{kind=\"eof-not-closed\",site=\"(.*)\"}")
                            .matcher(series);
                    if (site.matches()) {
                        leaksBySite.put(site.group(1), value);
                    }
                });
                // The first sites reported keep their own series (which ones depends on the order of the reports).
                assertEquals(cap + 1, leaksBySite.size(), "at most " + cap + " sites and other" + context);
                assertEquals(String.valueOf(sites - cap), leaksBySite.remove("other"), context);
                leaksBySite.forEach((site, leaks) -> {
                    assertTrue(site.matches("dev\\.closewait\\.e2e\\.scenarios\\.sites\\.Site\\d{3}\\.accept"
                            + "(\\(Site\\d{3}\\.java:\\d+\\))?"),
                            site + context);
                    assertEquals("1", leaks, site + context);
                });
                assertEquals(sites, sum(samples, "closewait_site_leaks_total{"), context);
                assertEquals(sites, sum(samples, "closewait_site_sockets_leaked_sockets{"), context);
                assertEquals(sites, sum(samples, "closewait_leaks_total{"), context);
                assertEquals(sites, sum(samples, "closewait_sockets_leaked_sockets{"), context);
                run.exitCleanly();
                assertAgentHealthy(run);
            }
        });
    }

    /**
     * Issue 14: with {@code metrics-sites}, a series born at a site's first leak hid that leak from Prometheus'
     * {@code increase()}, which needs two samples of one series. Two scrapes around a new site's first leak: the
     * series by kind, which the dashboard's rate panels read, were already there and show the increase.
     */
    @TestFactory
    Stream<DynamicTest> aNewSitesFirstLeakShowsAsAnIncreaseBetweenTwoScrapes() {
        return PerJdk.each(jdk -> {
            int port = TestPorts.freePort();
            try (ScenarioRun run = ScenarioRun.of(jdk, NewSiteLeak.class)
                    .agentOptions("grace=1s,log=off,metrics-sites=3,metrics-port=" + port).start()) {
                run.awaitReady();
                run.report().await("leak", 1);
                String newSite = "site=\"" + NewSiteLeak.class.getName() + ".acceptAtNewSite";
                Map<String, String> before = samples(scrapeUntil(port,
                        body -> body.contains("closewait_leaks_total{kind=\"eof-not-closed\"} 1")).body());
                assertFalse(before.keySet().stream().anyMatch(series -> series.contains(newSite)), before.toString());

                run.child().send("leak");
                run.child().awaitStdout(Pattern.compile("DONE leak"), Waits.EVENT);
                run.report().await("leak", 2);
                Map<String, String> after = samples(scrapeUntil(port, body -> body.contains(newSite)).body());
                String context = "\nbefore:\n" + before + "\nafter:\n" + after;

                // increase() as Prometheus computes it: only series present in both samples count.
                assertEquals(1, increase(before, after, "closewait_leaks_total{"), context);
                assertEquals(1, after.entrySet().stream().filter(sample -> sample.getKey().startsWith(
                                "closewait_site_leaks_total{kind=\"eof-not-closed\"," + newSite))
                        .mapToDouble(sample -> Double.parseDouble(sample.getValue())).sum(), context);
                assertEquals(0, increase(before, after, "closewait_site_leaks_total{"),
                        "why rates must not read the site series" + context);
                run.exitCleanly();
            }
        });
    }

    private static long increase(Map<String, String> before, Map<String, String> after, String prefix) {
        long increase = 0;
        for (Map.Entry<String, String> sample : after.entrySet()) {
            if (sample.getKey().startsWith(prefix) && before.containsKey(sample.getKey())) {
                increase += (long) (Double.parseDouble(sample.getValue())
                        - Double.parseDouble(before.get(sample.getKey())));
            }
        }
        return increase;
    }

    /** Scrapes until the body passes the check (or {@link Waits#EVENT} has passed) and returns the last response. */
    private HttpResponse<String> scrapeUntil(int port, Predicate<String> check) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + Waits.EVENT.toNanos();
        HttpResponse<String> response = null;
        while (System.nanoTime() < deadline) {
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (check.test(response.body())) {
                    return response;
                }
            } catch (IOException notListeningYet) {
                // the endpoint starts on an agent thread shortly after the application
            }
            Thread.sleep(200);
        }
        if (response == null) {
            throw new AssertionError("no answer from http://127.0.0.1:" + port + "/metrics");
        }
        return response;
    }

    /** Sample lines by series (name and labels), skipping comments. */
    private static Map<String, String> samples(String body) {
        Map<String, String> samples = new TreeMap<>();
        for (String line : body.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        return samples;
    }

    private static long sum(Map<String, String> samples, String prefix) {
        return samples.entrySet().stream().filter(sample -> sample.getKey().startsWith(prefix))
                .mapToLong(sample -> (long) Double.parseDouble(sample.getValue())).sum();
    }

    /** The METER lines of one phase, by meter id: value, type, base unit, description. */
    private static Map<String, String[]> meters(String stdout, String phase) {
        Map<String, String[]> meters = new TreeMap<>();
        Matcher matcher = METER.matcher(stdout);
        while (matcher.find()) {
            if (matcher.group(1).equals(phase)) {
                meters.put(matcher.group(2), new String[]{matcher.group(3), matcher.group(4), matcher.group(5),
                        matcher.group(6)});
            }
        }
        assertFalse(meters.isEmpty(), "no " + phase + " meters in\n" + stdout);
        return meters;
    }

    private static String value(Map<String, String[]> meters, String id) {
        String[] fields = meters.get(id);
        if (fields == null) {
            throw new AssertionError(id + " not among " + meters.keySet());
        }
        return fields[0];
    }
}
