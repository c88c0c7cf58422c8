package dev.closewait.e2e.scenarios;

import org.eclipse.jetty.server.Server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Jetty 12 serving the JDK's HttpClient over kept-alive HTTP/1.1 connections: 10 requests one after the other, then
 * 10 at once. Jetty's idle timeout then closes the connections; the client reads EOF on its pooled connections and
 * closes them. Both sides use SocketChannels.
 */
public final class JettyClean {

    static final int SEQUENTIAL = 10;
    static final int CONCURRENT = 10;

    public static void main(String[] args) throws Exception {
        Server server = JettyServers.startOk();
        int port = JettyServers.port(server);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade attempt: plain kept-alive HTTP/1.1
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(5))
                .build();
        for (int i = 0; i < SEQUENTIAL; i++) {
            expectOk(client.send(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            expectOk(response.get(60, TimeUnit.SECONDS));
        }
        // Jetty's idle timeout closes every connection; the client sees EOF and closes its side.
        Thread.sleep(3 * JettyServers.IDLE_TIMEOUT_MILLIS);
        server.stop();
        Scenario.readyThenAwaitExit(port, 0);
    }

    static void expectOk(HttpResponse<String> response) {
        if (response.statusCode() != 200 || !response.body().equals("ok")) {
            Scenario.fail("unexpected response " + response.statusCode() + " " + response.body());
        }
    }
}
