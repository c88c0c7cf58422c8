package dev.closewait.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Prints what the kernel says about the demo's port: `ss -tn state close-wait '( sport = :PORT )'`. */
final class KernelView {

    private KernelView() {
    }

    static void print(int port) {
        List<String> command = List.of("ss", "-tn", "state", "close-wait", "( sport = :" + port + " )");
        System.out.println("demo: the kernel's view, " + String.join(" ", command.subList(0, 4)) + " '"
                + command.get(4) + "':");
        try {
            Process ss = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ss.waitFor(5, TimeUnit.SECONDS)) {
                ss.destroyForcibly();
            }
            output.lines().forEach(line -> System.out.println("  " + line));
        } catch (IOException e) {
            System.out.println("  (ss is not available here: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
