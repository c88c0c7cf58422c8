package dev.closewait.config;

/**
 * Where the agent's meters go besides the application's own Micrometer.
 *
 * @param port  port of the Prometheus endpoint, or 0 for none
 * @param host  address the endpoint listens on
 * @param sites distinct allocation sites tagged on leak meters before the rest fold into {@code other}; 0 for no
 *              {@code site} tag
 */
public record MetricsOptions(int port, String host, int sites) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final MetricsOptions DEFAULTS = new MetricsOptions(0, DEFAULT_HOST, 0);

    public boolean endpoint() {
        return port > 0;
    }
}
