package dev.closewait.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closewait.core.CallSite;
import dev.closewait.core.Churn;
import dev.closewait.core.ChurnListener;
import dev.closewait.core.LeakListener;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The churn event in JSON Lines and in the log, and its way through the dispatcher's filters. */
class ChurnReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Churn churn(String site, CallSite stack) throws Exception {
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByAddress(new byte[]{10, 0, 0, 7}), 8080);
        return new Churn(remote, 3000, 60, 28_232, 2823, site, 2990, stack, 9_000_000_000L, 1_700_000_009_000L);
    }

    private static CallSite stack() {
        CallSite stack = new CallSite();
        stack.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 47),
                new StackTraceElement("java.net.Socket", "<init>", "Socket.java", 232),
                new StackTraceElement("com.acme.Client", "call", "Client.java", 12),
                new StackTraceElement("java.lang.Thread", "run", "Thread.java", 840)});
        return stack;
    }

    @Test
    void writesEveryFieldOfAChurnEvent() throws Exception {
        JsonNode json = JSON.readTree(new JsonLines(40).churn(churn("com.acme.Client.call", stack())));
        assertEquals("churn", json.get("event").asText());
        assertEquals(ProcessHandle.current().pid(), json.get("pid").asLong());
        assertEquals("10.0.0.7:8080", json.get("remote").asText());
        assertEquals(3000, json.get("closes").asLong());
        assertEquals(60, json.get("windowSeconds").asInt());
        assertEquals(28232, json.get("portRange").asInt());
        assertEquals("0.1063", json.get("portRangeShare").toString());
        assertEquals(2823, json.get("threshold").asLong());
        assertEquals("com.acme.Client.call", json.get("site").asText());
        assertEquals(2990, json.get("siteCloses").asLong());
        assertEquals(List.of("java.net.Socket.<init>(Socket.java:232)", "com.acme.Client.call(Client.java:12)",
                "java.lang.Thread.run(Thread.java:840)"), JSON.convertValue(json.get("stack"), List.class));
        assertEquals("2023-11-14T22:13:29Z", json.get("detectedAt").asText());
    }

    @Test
    void writesNullSiteAndNoFramesWhenNoStackWasRecorded() throws Exception {
        JsonNode json = JSON.readTree(new JsonLines(40).churn(churn(null, null)));
        assertTrue(json.get("site").isNull());
        assertEquals(0, json.get("stack").size());
    }

    @Test
    void warnsWithTheCodeTheCostAndTheFix() throws Exception {
        String text = new ChurnText(40).churn(churn("com.acme.Client.call", stack()));
        String nl = System.lineSeparator();
        assertEquals("Connection churn to 10.0.0.7:8080: the application closed 3000 connections to it first within "
                + "60s (churn-warn 2823). Each leaves a socket in TIME_WAIT for 60s holding one of the 28232 ephemeral "
                + "ports (10.6% in use now); when they run out, connect() to this destination fails with \"Cannot "
                + "assign requested address\". Opened by com.acme.Client.call (2990 of them). Fix: reuse connections "
                + "(HTTP keep-alive, one pooled client shared by all requests) instead of one connection per request; "
                + "if each connection must end after one request, make the server close first (the client sends "
                + "\"Connection: close\" and reads the response to EOF before closing). See "
                + "docs/fixing-leaks.md#time_wait-connection-churn." + nl
                + "  Opened at:" + nl
                + "    at java.net.Socket.<init>(Socket.java:232)" + nl
                + "    at com.acme.Client.call(Client.java:12)" + nl
                + "    at java.lang.Thread.run(Thread.java:840)", text);
    }

    @Test
    void saysSoWhenNoApplicationFrameWasRecorded() throws Exception {
        String text = new ChurnText(40).churn(churn(null, null));
        assertTrue(text.contains("No application frame was recorded for these connections."), text);
        assertTrue(!text.contains("Opened at:"), text);
    }

    @Test
    void dispatchesChurnToEverySinkThroughTheIncludeFilter() throws Exception {
        List<Churn> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeakListener sink = ChurnListener.to(seen::add);
        List<ReportDispatcher.Sink> sinks = List.of(new ReportDispatcher.Sink("test", sink));
        for (ReportDispatcher dispatcher : List.of(
                new ReportDispatcher(sinks, List.of("com.acme"), List.of(), line -> { }),
                new ReportDispatcher(sinks, List.of("org.other"), List.of(), line -> { }),
                new ReportDispatcher(sinks, List.of(), List.of("com.acme"), line -> { }))) {
            dispatcher.churn(churn("c", stack()));
            assertTrue(dispatcher.drain(System.nanoTime() + 20_000_000_000L));
        }
        assertEquals(1, seen.size());
    }
}
