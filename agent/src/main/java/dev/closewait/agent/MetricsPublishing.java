package dev.closewait.agent;

import dev.closewait.bootstrap.MetricsBridge;
import dev.closewait.config.MetricsOptions;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.OwnPorts;
import dev.closewait.metrics.BridgeSource;
import dev.closewait.metrics.LeakMetrics;
import dev.closewait.metrics.MicrometerAutoBinding;
import dev.closewait.metrics.PrometheusEndpoint;
import dev.closewait.metrics.PrometheusText;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Publishes the agent's meters: through the bootstrap bridge to Micrometer binders, into every Micrometer the
 * application loads (searched for on the detector thread, never at start or on application threads), and on the
 * Prometheus endpoint when {@code metrics-port} asks for it (started on an agent thread of its own).
 */
final class MetricsPublishing {

    private MetricsPublishing() {
    }

    /** Where the meters went, for the status command. */
    static final class Published {
        volatile String endpoint = "none (no metrics-port)";
        volatile MicrometerAutoBinding micrometer;

        String micrometer() {
            MicrometerAutoBinding binding = micrometer;
            List<String> bound = binding == null ? List.of() : binding.boundTo();
            return bound.isEmpty() ? "no Micrometer found in the application (yet)"
                    : "meters in Metrics.globalRegistry of " + String.join(", ", bound);
        }
    }

    /**
     * Publishes the meters; returns what stops the Prometheus endpoint, now or, if it is still starting, as soon as
     * it has started (the Micrometer search stops with the detector thread it runs on).
     */
    static Runnable start(LeakMetrics metrics, MetricsOptions options, SecondTick tick,
                          ClassLoaderCandidates loaders, OwnPorts ownPorts, AgentErrors errors, Published published) {
        MetricsBridge.install(new BridgeSource(metrics));
        // Classes, not lambdas or method references: see AgentInstaller.
        MicrometerAutoBinding micrometer = new MicrometerAutoBinding(new Supplier<List<ClassLoader>>() {
            @Override
            public List<ClassLoader> get() {
                return loaders.candidates();
            }
        }, new Consumer<String>() {
            @Override
            public void accept(String line) {
                AgentStderr.println(line);
            }
        });
        published.micrometer = micrometer;
        // Once a second, on the detector thread, in class loaders not searched yet.
        tick.add("Micrometer search", new DetectorThread.Task() {
            @Override
            public void run() {
                micrometer.bindNew();
            }
        });
        EndpointSwitch endpoint = new EndpointSwitch();
        if (options.endpoint()) {
            // Not on the detector thread, where it would wait behind a kernel scan (seconds, with 100k sockets).
            published.endpoint = "starting";
            new AgentThread("metrics-start", new Runnable() {
                @Override
                public void run() {
                    endpoint.started(startEndpoint(metrics, options, ownPorts, errors, published));
                }
            }).start();
        }
        return new Runnable() {
            @Override
            public void run() {
                endpoint.stop();
                if (options.endpoint()) {
                    published.endpoint = "stopped: the agent turned itself off";
                }
            }
        };
    }

    /** The endpoint once started, and whether it must stop: whichever of the two comes second stops it. */
    private static final class EndpointSwitch {
        private PrometheusEndpoint endpoint;
        private boolean stopped;

        synchronized void started(PrometheusEndpoint started) {
            endpoint = started;
            if (stopped) {
                stop();
            }
        }

        synchronized void stop() {
            stopped = true;
            if (endpoint != null) {
                endpoint.stop();
                endpoint = null;
            }
        }
    }

    /** On a daemon agent thread, so that the HTTP server's dispatcher thread is a daemon too. */
    private static PrometheusEndpoint startEndpoint(LeakMetrics metrics, MetricsOptions options, OwnPorts ownPorts,
                                                    AgentErrors errors, Published published) {
        String host = options.host().startsWith("[") && options.host().endsWith("]")
                ? options.host().substring(1, options.host().length() - 1) : options.host();
        InetSocketAddress address = new InetSocketAddress(host, options.port());
        String where = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + options.port() + "/metrics";
        try {
            if (address.isUnresolved()) {
                throw new java.net.UnknownHostException(host);
            }
            Supplier<String> page = new Supplier<>() {
                @Override
                public String get() {
                    return PrometheusText.render(metrics.meters());
                }
            };
            PrometheusEndpoint endpoint = PrometheusEndpoint.start(address, page, ownPorts, errors);
            AgentStderr.println("closewait: serving metrics at " + where);
            published.endpoint = "serving " + where;
            return endpoint;
        } catch (Throwable t) {
            published.endpoint = "failed at " + where + " (" + t + ")";
            AgentStderr.println("closewait: option 'metrics-port' could not be served at " + where + " (" + t
                    + "); no metrics endpoint, the application is not affected.");
            return null;
        }
    }
}
