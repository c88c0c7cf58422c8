package dev.closewait.cli;

import dev.closewait.agent.AgentProperties;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/** The commands, with the checks that turn the attach API's failures into messages a user can act on. */
final class Commands {

    private static final long ANSWER_TIMEOUT_MILLIS = 10_000;

    private final AttachApi attachApi;
    private final Path agentJar;
    private final PrintStream out;
    private final PrintStream err;

    Commands(AttachApi attachApi, Path agentJar, PrintStream out, PrintStream err) {
        this.attachApi = attachApi;
        this.agentJar = agentJar;
        this.out = out;
        this.err = err;
    }

    int list() {
        long self = ProcessHandle.current().pid();
        List<AttachApi.Jvm> jvms = attachApi.list().stream().filter(jvm -> !jvm.pid().equals(Long.toString(self)))
                .toList();
        if (jvms.isEmpty()) {
            out.println("No other Java processes of this user.");
            return 0;
        }
        out.printf("%-8s %s%n", "PID", "MAIN CLASS OR JAR");
        jvms.forEach(jvm -> out.printf("%-8s %s%n", jvm.pid(), jvm.name().isBlank() ? "?" : jvm.name()));
        return 0;
    }

    int attach(String pidText, String options) {
        Target target = target(pidText);
        if (target.exitStatus >= 0) {
            return target.exitStatus;
        }
        try (AttachApi.Session session = attachApi.attach(target.pid)) {
            Properties properties = session.systemProperties();
            if (properties.getProperty(AgentProperties.INSTALLED) != null) {
                out.println("closewait is already running in process " + target.pid + "; it is not installed twice. "
                        + "Its suspects: java -jar " + agentJar.getFileName() + " report " + target.pid);
                return 0;
            }
            int feature = javaFeature(properties);
            if (feature > 0 && feature < 17) {
                err.println("closewait: process " + target.pid + " runs Java " + feature + "; closewait needs 17 or later.");
                return 1;
            }
            try {
                session.loadAgent(agentJar.toString(), options);
            } catch (Exception e) {
                return loadFailed(target.pid, e);
            }
            if (session.systemProperties().getProperty(AgentProperties.INSTALLED) == null) {
                err.println("closewait: the agent did not start in process " + target.pid
                        + "; that process's standard error says why.");
                return 1;
            }
            out.println("closewait: attached to process " + target.pid + " (Java " + feature + "). Leak reports go to "
                    + "its log or standard error; its current suspects: java -jar " + agentJar.getFileName()
                    + " report " + target.pid);
            if (feature >= 21) {
                out.println("Note: Java " + feature + " has printed its one-time warning about a dynamically loaded "
                        + "agent on that process's standard error; -XX:+EnableDynamicAgentLoading silences it.");
            }
            return 0;
        } catch (Exception e) {
            return attachFailed(target.pid, e);
        }
    }

    int report(String pidText, boolean json) {
        Target target = target(pidText);
        if (target.exitStatus >= 0) {
            return target.exitStatus;
        }
        String mailbox;
        try (AttachApi.Session session = attachApi.attach(target.pid)) {
            mailbox = session.systemProperties().getProperty(AgentProperties.MAILBOX);
        } catch (Exception e) {
            return attachFailed(target.pid, e);
        }
        if (mailbox == null) {
            err.println("closewait is not running in process " + target.pid + "; load it first with: java -jar "
                    + agentJar.getFileName() + " attach " + target.pid);
            return 1;
        }
        try {
            out.print(ask(Path.of(mailbox), json ? "json" : "table"));
            return 0;
        } catch (IOException e) {
            err.println("closewait: could not exchange the report with process " + target.pid + " through " + mailbox
                    + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Drops a request in the agent's mailbox and waits (bounded) for its answer. */
    private String ask(Path mailbox, String format) throws IOException, InterruptedException {
        String name = "report-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path response = mailbox.resolve(name + ".response");
        Files.writeString(mailbox.resolve(name + ".request"), format, StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + ANSWER_TIMEOUT_MILLIS * 1_000_000L;
        while (!Files.exists(response)) {
            if (System.nanoTime() > deadline) {
                Files.deleteIfExists(mailbox.resolve(name + ".request"));
                throw new IOException("no answer within " + ANSWER_TIMEOUT_MILLIS / 1000 + " s (is the process paused?)");
            }
            Thread.sleep(50);
        }
        String answer = Files.readString(response, StandardCharsets.UTF_8);
        Files.deleteIfExists(response);
        return answer;
    }

    /** A pid that exists and that this user may attach to; else the exit status, with the message printed. */
    private Target target(String pidText) {
        long pid;
        try {
            pid = Long.parseLong(pidText);
        } catch (NumberFormatException e) {
            err.println("closewait: '" + pidText + "' is not a process id; see: java -jar " + agentJar.getFileName()
                    + " list");
            return Target.failed(2);
        }
        if (pid == ProcessHandle.current().pid()) {
            err.println("closewait: process " + pid + " is this command itself.");
            return Target.failed(2);
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            err.println("closewait: there is no process " + pid + "; Java processes of this user: java -jar "
                    + agentJar.getFileName() + " list");
            return Target.failed(1);
        }
        String me = System.getProperty("user.name");
        Optional<String> owner = process.get().info().user();
        if (owner.isPresent() && !owner.get().equals(me) && !me.equals("root")) {
            err.println("closewait: process " + pid + " belongs to user '" + owner.get() + "', and the JDK attaches "
                    + "only to processes of the same user; run this as '" + owner.get() + "' (for example: sudo -u "
                    + owner.get() + " java -jar " + agentJar + " ...).");
            return Target.failed(1);
        }
        return new Target(Long.toString(pid), -1);
    }

    private int attachFailed(String pid, Exception e) {
        err.println("closewait: cannot attach to process " + pid + ": " + e.getMessage() + ". It must be a HotSpot "
                + "JVM 17 or later of this user, started without -XX:+DisableAttachMechanism.");
        return 1;
    }

    private int loadFailed(String pid, Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("EnableDynamicAgentLoading") || message.contains("Dynamic agent loading")) {
            err.println("closewait: process " + pid + " does not accept agents loaded at run time. The JDK says: "
                    + message);
            err.println("  It was started with -XX:-EnableDynamicAgentLoading. Restart it with "
                    + "-XX:+EnableDynamicAgentLoading (which also silences JDK 21+'s warning about agents loaded at run "
                    + "time), or with -javaagent:" + agentJar + " on its command line.");
        } else {
            err.println("closewait: loading the agent into process " + pid + " failed: " + e);
        }
        return 1;
    }

    private static int javaFeature(Properties properties) {
        try {
            String version = properties.getProperty("java.specification.version", "");
            return Integer.parseInt(version.startsWith("1.") ? version.substring(2) : version);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private record Target(String pid, int exitStatus) {
        static Target failed(int exitStatus) {
            return new Target(null, exitStatus);
        }
    }
}
