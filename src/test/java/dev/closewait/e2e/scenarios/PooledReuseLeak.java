package dev.closewait.e2e.scenarios;

import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;
import org.eclipse.jetty.server.Server;

import java.util.ArrayList;
import java.util.List;

/**
 * A pooled connection opened by one method and leaked by another: {@link #warmUp} opens it and consumes its
 * response (back to the pool); {@link #fetchWithoutConsuming} reuses it and never consumes nor closes the
 * response, so it stays leased; {@link #nextRequest} then needs a second connection, which it uses properly and
 * returns to the pool. Jetty closes both after its idle timeout: two client sockets in CLOSE_WAIT, the first leased
 * (named by the request that leaked it), the second idle in the pool.
 */
public final class PooledReuseLeak {

    /** Keeps the unconsumed response reachable, as an application that stored it would. */
    static final List<CloseableHttpResponse> FORGOTTEN = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Server server = JettyServers.startOk();
        int port = JettyServers.port(server);
        String url = "http://127.0.0.1:" + port + "/";
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        CloseableHttpClient client = HttpClientBuilder.create().setConnectionManager(pool).build();

        warmUp(client, url);
        expect(pool, 0, 1, "after the first request");
        FORGOTTEN.add(fetchWithoutConsuming(client, url));
        expect(pool, 1, 0, "the second request reused the pooled connection and kept it");
        nextRequest(client, url);
        expect(pool, 1, 1, "the third request needed a connection of its own");
        Scenario.readyThenAwaitExit(port, 2);
    }

    static void warmUp(CloseableHttpClient client, String url) throws Exception {
        try (CloseableHttpResponse response = client.execute(new HttpGet(url))) {
            EntityUtils.consume(response.getEntity());
        }
    }

    /** The bug: the response is neither consumed nor closed. */
    static CloseableHttpResponse fetchWithoutConsuming(CloseableHttpClient client, String url) throws Exception {
        CloseableHttpResponse response = client.execute(new HttpGet(url));
        if (response.getStatusLine().getStatusCode() != 200) {
            Scenario.fail("status " + response.getStatusLine());
        }
        return response;
    }

    static void nextRequest(CloseableHttpClient client, String url) throws Exception {
        try (CloseableHttpResponse response = client.execute(new HttpGet(url))) {
            EntityUtils.consume(response.getEntity());
        }
    }

    private static void expect(PoolingHttpClientConnectionManager pool, int leased, int available, String when) {
        if (pool.getTotalStats().getLeased() != leased || pool.getTotalStats().getAvailable() != available) {
            Scenario.fail(when + ": expected " + leased + " leased and " + available + " available, pool: "
                    + pool.getTotalStats());
        }
    }
}
