package dev.closewait.e2e.scenarios;

import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The most common CLOSE_WAIT leak: an Apache HttpClient 4.5 pool keeps idle keep-alive connections that the server
 * (Jetty, idle timeout 400 ms) has closed; the client never reads them again. Argument "evict": the client evicts
 * idle connections, which fixes it.
 */
public final class PooledHttpClientLeak {

    static final int CONNECTIONS = 3;

    public static void main(String[] args) throws Exception {
        boolean evict = args.length > 0 && args[0].equals("evict");
        Server server = slowServer();
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();

        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setDefaultMaxPerRoute(CONNECTIONS);
        HttpClientBuilder builder = HttpClientBuilder.create().setConnectionManager(pool);
        if (evict) {
            builder.evictExpiredConnections().evictIdleConnections(300, TimeUnit.MILLISECONDS);
        }
        CloseableHttpClient client = builder.build();
        fetchConcurrently(client, "http://127.0.0.1:" + port + "/");
        if (pool.getTotalStats().getAvailable() != (evict ? pool.getTotalStats().getAvailable() : CONNECTIONS)) {
            Scenario.fail("expected " + CONNECTIONS + " idle pooled connections, pool: " + pool.getTotalStats());
        }
        Scenario.sleep(1000); // the server's idle timeout closes its side; the pool's connections go to CLOSE_WAIT
        Scenario.readyThenAwaitExit(port, evict ? 0 : CONNECTIONS);
    }

    /** Makes the requests: the code the reports must point at. */
    static void fetchConcurrently(CloseableHttpClient client, String url) throws Exception {
        ExecutorService requests = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<String>> bodies = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                bodies.add(requests.submit(() -> get(client, url)));
            }
            for (Future<String> body : bodies) {
                if (!body.get(60, TimeUnit.SECONDS).equals("ok")) {
                    Scenario.fail("unexpected body");
                }
            }
        } finally {
            requests.shutdown();
        }
    }

    static String get(CloseableHttpClient client, String url) throws Exception {
        try (CloseableHttpResponse response = client.execute(new HttpGet(url))) {
            return EntityUtils.toString(response.getEntity()); // consumed: the connection goes back to the pool
        }
    }

    /** Answers "ok" after 300 ms, so the requests overlap and need one connection each; idle timeout 400 ms. */
    static Server slowServer() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(400);
        server.addConnector(connector);
        CountDownLatch unused = new CountDownLatch(0);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Scenario.sleep(300);
                response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        unused.countDown();
        return server;
    }
}
