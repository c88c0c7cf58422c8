package dev.closewait.e2e.scenarios;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What every scenario program shares: loopback servers, the READY line the test waits for, and the exit protocol
 * (the test writes "exit" to standard input; a scenario never lives longer than five minutes).
 */
public final class Scenario {

    private static final long MAX_LIFETIME_SECONDS = 300;

    private Scenario() {
    }

    public static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    public static ServerSocket serverSocket() throws IOException {
        return new ServerSocket(0, 50, loopback());
    }

    /** Tells the test the scenario's work is done, then waits for "exit" and ends the JVM. */
    public static void readyThenAwaitExit(int port, int leaks) {
        readyThenServe(port, leaks, Map.of());
    }

    /**
     * Like {@link #readyThenAwaitExit}, and meanwhile runs the named command whenever the test writes its name to
     * standard input, then prints "DONE name".
     */
    public static void readyThenServe(int port, int leaks, Map<String, Runnable> commands) {
        System.out.println("READY port=" + port + " leaks=" + leaks);
        System.out.flush();
        Thread watchdog = new Thread(() -> {
            sleep(TimeUnit.SECONDS.toMillis(MAX_LIFETIME_SECONDS));
            System.out.println("scenario: no exit request within " + MAX_LIFETIME_SECONDS + "s, exiting");
            System.exit(3);
        }, "scenario-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.trim().equals("exit")) {
                Runnable command = commands.get(line.trim());
                if (command != null) {
                    command.run();
                    System.out.println("DONE " + line.trim());
                    System.out.flush();
                }
            }
        } catch (IOException e) {
            System.out.println("scenario: stdin failed: " + e);
        }
        System.exit(0);
    }

    /** Waits until the condition holds; fails the scenario (exit 2) if it does not within the timeout. */
    public static void await(String what, BooleanSupplier condition, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            sleep(10);
        }
    }

    public static void fail(String why) {
        System.out.println("scenario failed: " + why);
        System.out.flush();
        System.exit(2);
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
