package dev.closewait.metrics;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.OwnPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusEndpointTest {

    private final List<String> warnings = new ArrayList<>();
    private final AgentErrors errors = new AgentErrors(warnings::add);
    private final OwnPorts ownPorts = new OwnPorts();
    private final HttpClient client = HttpClient.newHttpClient();
    private PrometheusEndpoint endpoint;

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.stop();
        }
    }

    private PrometheusEndpoint start(java.util.function.Supplier<String> body) throws IOException {
        endpoint = PrometheusEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), body,
                ownPorts, errors);
        return endpoint;
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheTextAtSlashMetricsAsPrometheusExpects() throws Exception {
        start(() -> "# TYPE x gauge\nx 1\n");

        HttpResponse<String> response = send("GET", "/metrics");

        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("# TYPE x gauge\nx 1\n", response.body());
    }

    @Test
    void listensOnLoopbackAndRecordsItsPortAsTheAgentsOwn() throws Exception {
        start(() -> "");

        assertTrue(endpoint.address().getAddress().isLoopbackAddress(), endpoint.address().toString());
        assertTrue(ownPorts.owns(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                endpoint.address().getPort())));
    }

    @Test
    void answersOtherPathsWithNotFoundAndOtherMethodsWithNotAllowed() throws Exception {
        start(() -> "x 1\n");

        assertEquals(404, send("GET", "/").statusCode());
        assertEquals(404, send("GET", "/metricsx").statusCode());
        HttpResponse<String> post = send("POST", "/metrics");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> head = send("HEAD", "/metrics");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void aFailingRenderIsAServerErrorCountedByTheAgent() throws Exception {
        start(() -> {
            throw new IllegalStateException("broken");
        });

        assertEquals(500, send("GET", "/metrics").statusCode());
        assertEquals(1, errors.count());
    }

    @Test
    void aSilentClientDoesNotHoldUpAScrape() throws Exception {
        start(() -> "x 1\n");
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), endpoint.address().getPort())) {
            silent.getOutputStream().write("GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            silent.getOutputStream().flush(); // and nothing more: a handler now waits on this client

            HttpResponse<String> scrape = send("GET", "/metrics");

            assertEquals(200, scrape.statusCode());
            assertEquals("x 1\n", scrape.body());
            silent.setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, () -> silent.getInputStream().read(),
                    "the scrape was answered while the silent client was still being waited for");
        }
    }

    /**
     * Silent clients occupy no thread: a scrape is answered while twenty of them, and then more than the endpoint
     * keeps, are connected and still within a read timeout of 30 s (two silent clients used to delay every scrape by
     * seconds, sixteen turned every scrape away).
     */
    @Test
    void manySilentClientsHoldUpNoScrapeAndTheOldestMakeRoomForIt() throws Exception {
        endpoint = PrometheusEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> "x 1\n",
                ownPorts, errors, 30_000);
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                silent.add(new Socket(InetAddress.getLoopbackAddress(), endpoint.address().getPort()));
            }
            HttpResponse<String> scrape = send("GET", "/metrics");
            assertEquals(200, scrape.statusCode());
            assertEquals("x 1\n", scrape.body());
            for (Socket client : silent) {
                client.setSoTimeout(50);
                assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(),
                        "answered while every silent client was still connected");
            }

            for (int i = 0; i < PrometheusEndpoint.MAX_CONNECTIONS; i++) {
                silent.add(new Socket(InetAddress.getLoopbackAddress(), endpoint.address().getPort()));
            }
            assertEquals(200, send("GET", "/metrics").statusCode(), "the oldest silent clients made room");
            Socket oldest = silent.get(0);
            oldest.setSoTimeout(30_000);
            assertEquals(-1, oldest.getInputStream().read(), "the oldest was closed, never answered");
            assertEquals(0, errors.count(), warnings.toString());
        } finally {
            for (Socket client : silent) {
                client.close();
            }
        }
    }

    /** Which connection makes room: the oldest silent one, never a scrape whose request has come in meanwhile. */
    @Test
    void theOldestSilentConnectionMakesRoomBeforeOneThatSentItsRequest() {
        // "s": sent nothing; "r": sending its request; "w": its answer being written
        assertEquals("s2", PrometheusEndpoint.victim(List.of("r1", "s2", "s3"), c -> c.startsWith("s"),
                c -> !c.startsWith("w")));
        assertEquals("r2", PrometheusEndpoint.victim(List.of("w1", "r2", "r3"), c -> c.startsWith("s"),
                c -> !c.startsWith("w")));
        assertEquals("w1", PrometheusEndpoint.victim(List.of("w1", "w2"), c -> c.startsWith("s"),
                c -> !c.startsWith("w")));
    }

    @Test
    void aSilentClientIsDisconnectedAfterTheReadTimeout() throws Exception {
        endpoint = PrometheusEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> "x 1\n",
                ownPorts, errors, 200);
        List<Socket> silent = new ArrayList<>();
        try {
            // More than the connections it keeps: the oldest make room, the rest time out.
            for (int i = 0; i < PrometheusEndpoint.MAX_CONNECTIONS + 5; i++) {
                Socket client = new Socket(InetAddress.getLoopbackAddress(), endpoint.address().getPort());
                client.setSoTimeout(30_000);
                silent.add(client);
            }
            for (Socket client : silent) {
                assertEquals(-1, client.getInputStream().read(), "disconnected, never answered");
            }
            assertEquals(200, send("GET", "/metrics").statusCode(), "and the endpoint serves again");
            assertEquals(0, errors.count(), warnings.toString());
        } finally {
            for (Socket client : silent) {
                client.close();
            }
        }
    }

    @Test
    void aPortInUseFailsToStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThrows(IOException.class, () -> PrometheusEndpoint.start(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()), () -> "",
                    ownPorts, errors));
            assertTrue(!ownPorts.owns(new InetSocketAddress(taken.getLocalPort())));
        }
    }
}
