package dev.closewait.e2e.scenarios;

import java.net.Socket;

/**
 * Waits until the agent's metrics endpoint (port in the argument) accepts connections, says READY, and returns from
 * main without System.exit: the JVM must end by itself, the agent's HTTP server running or not.
 */
public final class EndpointThenMainReturns {

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Scenario.await("the metrics endpoint", () -> {
            try (Socket probe = new Socket(Scenario.loopback(), port)) {
                return true;
            } catch (Exception notYet) {
                return false;
            }
        }, 60_000);
        System.out.println("READY port=" + port + " leaks=0");
        System.out.flush();
    }
}
