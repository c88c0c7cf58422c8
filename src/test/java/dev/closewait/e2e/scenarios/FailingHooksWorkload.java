package dev.closewait.e2e.scenarios;

import java.lang.reflect.Field;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.function.ObjIntConsumer;

/**
 * The echo workload while every hook event fails inside the agent: the scenario itself puts a listener that throws
 * (argument: exception, oom or stackoverflow, a real one by recursion) in front of the agent's, in the hooks class
 * the agent defined in java.base, reached by reflection (the test opens sun.nio.ch to the class path for this; the
 * agent has no switch for it), once the agent serves metrics on the port in the second argument. Failures the hooks catch still go to the agent, which must count them, log one line
 * and turn itself off. Command "threads": waits (at most 30 s) until no agent thread runs, then prints
 * {@code THREADS} and the names of those still running.
 */
public final class FailingHooksWorkload {

    private static final String HOOKS = "sun.nio.ch.ClosewaitSocketHooks";

    public static void main(String[] args) throws Exception {
        String failure = args[0];
        int metricsPort = Integer.parseInt(args[1]);
        // The agent finishes its start on a thread of its own: let it get as far as serving metrics first, so that
        // turning off has an endpoint to close.
        Scenario.await("the metrics endpoint", () -> {
            try (Socket probe = new Socket(Scenario.loopback(), metricsPort)) {
                return true;
            } catch (Exception notYet) {
                return false;
            }
        }, 60_000);
        Class<?> hooks = Class.forName(HOOKS);
        Field listener = hooks.getDeclaredField("listener");
        listener.setAccessible(true);
        @SuppressWarnings("unchecked")
        ObjIntConsumer<Object> agent = (ObjIntConsumer<Object>) listener.get(null);
        if (agent == null) {
            Scenario.fail("no agent listener in " + HOOKS);
        }
        int failed = hooks.getField("FAILED").getInt(null);
        ObjIntConsumer<Object> failing = (argument, event) -> {
            if (event == failed) {
                agent.accept(argument, event);
            } else {
                fail(failure);
            }
        };
        listener.set(null, failing);
        int port = EchoWorkload.echoes(400);
        Scenario.readyThenServe(port, 0, Map.of("threads", FailingHooksWorkload::printAgentThreads));
    }

    private static void fail(String failure) {
        switch (failure) {
            case "oom" -> throw new OutOfMemoryError("failing hook (test)");
            case "stackoverflow" -> recurse(0);
            default -> throw new IllegalStateException("failing hook (test)");
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    private static void printAgentThreads() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<String> running = agentThreads();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            Scenario.sleep(50);
            running = agentThreads();
        }
        System.out.println("THREADS " + String.join(",", running));
        System.out.flush();
    }

    /** The agent's threads (closewait-…) and the JDK HTTP server's that serves its metrics. */
    private static List<String> agentThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("closewait-") || name.startsWith("HTTP-Dispatcher")).sorted()
                .toList();
    }
}
