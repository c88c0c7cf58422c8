package dev.closewait.cli;

import dev.closewait.agent.AgentProperties;
import dev.closewait.text.SafeText;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/** The commands, with the checks that turn the attach API's failures into messages a user can act on. */
final class Commands {

    /** How long one attach (connect, ask for properties, load) may take. */
    static final long ATTACH_TIMEOUT_MILLIS = 15_000;
    /** How long an agent that has just started may take to open its mailbox. */
    static final long MAILBOX_WAIT_MILLIS = 10_000;
    /** How long an agent just loaded may take to read its options and publish its verdict. */
    static final long VERDICT_WAIT_MILLIS = 15_000;

    private final AttachApi attachApi;
    private final Path agentJar;
    private final PrintStream out;
    private final PrintStream err;
    /** {@code /proc}; a directory of fake process entries in tests. */
    private final Path procRoot;

    Commands(AttachApi attachApi, Path agentJar, PrintStream out, PrintStream err) {
        this(attachApi, agentJar, out, err, Path.of("/proc"));
    }

    Commands(AttachApi attachApi, Path agentJar, PrintStream out, PrintStream err, Path procRoot) {
        this.attachApi = attachApi;
        this.agentJar = agentJar;
        this.out = out;
        this.err = err;
        this.procRoot = procRoot;
    }

    int list() {
        long self = ProcessHandle.current().pid();
        List<AttachApi.Jvm> jvms = attachApi.list().stream().filter(jvm -> !jvm.pid().equals(Long.toString(self)))
                .toList();
        if (jvms.isEmpty()) {
            out.println("No other Java processes of this user.");
            return 0;
        }
        List<String> running = JvmsRunningClosewait.check(attachApi, jvms);
        out.print(JvmTable.render(jvms, running));
        return 0;
    }

    int attach(String pidText, String options) {
        Target target = target(pidText);
        if (target.exitStatus >= 0) {
            return target.exitStatus;
        }
        try (AttachApi.Session session = Deadline.within(ATTACH_TIMEOUT_MILLIS, "attaching",
                () -> attachApi.attach(target.pid))) {
            Properties properties = Deadline.within(ATTACH_TIMEOUT_MILLIS, "reading its properties",
                    session::systemProperties);
            if (properties.getProperty(AgentProperties.INSTALLED) != null) {
                out.println("closewait is already running in process " + target.pid + "; it is not installed twice. "
                        + "Its suspects: java -jar " + agentJar.getFileName() + " report " + target.pid
                        + "; its options: java -jar " + agentJar.getFileName() + " status " + target.pid);
                if (!options.isBlank()) {
                    err.println("closewait: the options given (" + SafeText.bounded(options, 200) + ") are not "
                            + "applied: the running agent keeps its own. Exit status 1.");
                    return 1;
                }
                return 0;
            }
            int feature = javaFeature(properties);
            if (feature > 0 && feature < 17) {
                err.println("closewait: process " + target.pid + " runs Java " + feature + "; closewait needs 17 or later.");
                return 1;
            }
            try {
                Deadline.within(ATTACH_TIMEOUT_MILLIS, "loading the agent", () -> {
                    session.loadAgent(agentJar.toString(), options);
                    return null;
                });
            } catch (Exception e) {
                return loadFailed(target.pid, e);
            }
            Properties after = awaitVerdict(session);
            AttachVerdict verdict = AttachVerdict.parse(after.getProperty(AgentProperties.VERDICT));
            if (verdict.state().equals("disabled")) {
                verdict.printProblems(err);
                err.println("closewait: not installed in process " + target.pid + ": enabled=false ("
                        + verdict.source("enabled") + ").");
                return 1;
            }
            if (after.getProperty(AgentProperties.INSTALLED) == null || verdict.state().equals("failed")
                    || verdict.state().equals("unknown")) {
                verdict.printProblems(err);
                err.println("closewait: the agent did not start in process " + target.pid
                        + (verdict.state().equals("unknown") ? " within " + VERDICT_WAIT_MILLIS / 1000 + " s" : "")
                        + "; that process's standard error says why.");
                return 1;
            }
            out.println("closewait: attached to process " + target.pid + " (Java " + feature + "). Leak reports go to "
                    + "its log or standard error; its current suspects: java -jar " + agentJar.getFileName()
                    + " report " + target.pid);
            verdict.printOptions(out);
            if (feature >= 21) {
                out.println("Note: Java " + feature + " has printed its one-time warning about a dynamically loaded "
                        + "agent on that process's standard error; -XX:+EnableDynamicAgentLoading silences it.");
            }
            if (!verdict.problems().isEmpty()) {
                verdict.printProblems(err);
                err.println("closewait: " + verdict.problems().size() + " option problem"
                        + (verdict.problems().size() == 1 ? "" : "s")
                        + "; the agent runs with the values above. Exit status 1.");
                return 1;
            }
            return 0;
        } catch (Exception e) {
            return attachFailed(target.pid, e);
        }
    }

    /** {@code report} (table or JSON Lines) and {@code status}: answers the running agent writes itself. */
    int ask(String pidText, String request) {
        Target target = target(pidText);
        if (target.exitStatus >= 0) {
            return target.exitStatus;
        }
        String mailbox;
        String mailboxError;
        try {
            Properties properties = awaitMailbox(target.pid);
            if (properties.getProperty(AgentProperties.INSTALLED) == null) {
                err.println("closewait is not running in process " + target.pid + "; load it first with: java -jar "
                        + agentJar.getFileName() + " attach " + target.pid);
                return 1;
            }
            mailbox = properties.getProperty(AgentProperties.MAILBOX);
            mailboxError = properties.getProperty(AgentProperties.MAILBOX_ERROR);
        } catch (Exception e) {
            return attachFailed(target.pid, e);
        }
        if (mailbox == null) {
            err.println("closewait is running in process " + target.pid + " but cannot answer: "
                    + (mailboxError == null ? "it opened no mailbox within " + MAILBOX_WAIT_MILLIS / 1000 + " s"
                    : SafeText.bounded(mailboxError, 500)));
            return 1;
        }
        try {
            MailboxClient client = MailboxClient.verified(mailbox, target.user);
            // The target wrote the answer: escape what a terminal would act on, keep the lines.
            out.print(SafeText.escapeKeepingLines(client.ask(request)));
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            err.println("closewait: could not exchange the " + request + " with process " + target.pid + ": "
                    + SafeText.bounded(String.valueOf(e.getMessage()), 500));
            return 1;
        }
    }

    /**
     * The target's properties once the agent has published its verdict: the options are read on the agent's own
     * start thread, after loading returned. At most {@link #VERDICT_WAIT_MILLIS}.
     */
    private Properties awaitVerdict(AttachApi.Session session) throws Exception {
        long deadline = System.nanoTime() + VERDICT_WAIT_MILLIS * 1_000_000L;
        while (true) {
            Properties properties = Deadline.within(ATTACH_TIMEOUT_MILLIS, "reading its properties",
                    session::systemProperties);
            if (properties.getProperty(AgentProperties.VERDICT) != null || System.nanoTime() > deadline) {
                return properties;
            }
            Thread.sleep(50);
        }
    }

    /** The target's properties once its mailbox is named, or once it is clearly not coming. */
    private Properties awaitMailbox(String pid) throws Exception {
        try (AttachApi.Session session = Deadline.within(ATTACH_TIMEOUT_MILLIS, "attaching",
                () -> attachApi.attach(pid))) {
            long deadline = System.nanoTime() + MAILBOX_WAIT_MILLIS * 1_000_000L;
            while (true) {
                Properties properties = Deadline.within(ATTACH_TIMEOUT_MILLIS, "reading its properties",
                        session::systemProperties);
                boolean waiting = properties.getProperty(AgentProperties.INSTALLED) != null
                        && properties.getProperty(AgentProperties.MAILBOX) == null
                        && properties.getProperty(AgentProperties.MAILBOX_ERROR) == null;
                if (!waiting || System.nanoTime() > deadline) {
                    return properties;
                }
                Thread.sleep(100); // the agent has just started: its mailbox opens off the main thread
            }
        }
    }

    /** A pid that exists and that this user may attach to; else the exit status, with the message printed. */
    private Target target(String pidText) {
        long pid;
        try {
            pid = Long.parseLong(pidText);
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            err.println("closewait: '" + SafeText.bounded(pidText, 40) + "' is not a process id; see: java -jar "
                    + agentJar.getFileName() + " list");
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
        if (!attachable(pid)) {
            return Target.failed(1);
        }
        return new Target(Long.toString(pid), owner.orElse(me.equals("root") ? null : me), -1);
    }

    /**
     * Whether {@code pid} is a JVM, so that attaching cannot end it ({@link JvmProcess}); where its memory map cannot
     * be read, whether the attach API lists it. If not, says so, naming a child that is a JVM (a wrapper such as
     * {@code timeout} or a shell), and returns false.
     */
    private boolean attachable(long pid) {
        JvmProcess.Verdict verdict = JvmProcess.of(procRoot, pid);
        if (verdict == JvmProcess.Verdict.JVM) {
            return true;
        }
        String id = Long.toString(pid);
        if (verdict == JvmProcess.Verdict.UNKNOWN) {
            for (AttachApi.Jvm jvm : attachApi.list()) {
                if (jvm.pid().equals(id)) {
                    return true;
                }
            }
        }
        String command = ProcessHandle.of(pid).flatMap(p -> p.info().command()).map(Path::of)
                .map(path -> String.valueOf(path.getFileName())).orElseGet(() -> JvmProcess.name(procRoot, pid));
        err.println("closewait: process " + pid + " (" + SafeText.bounded(command, 80) + ") is not a Java virtual "
                + "machine" + (verdict == JvmProcess.Verdict.UNKNOWN ? " that this user's attach API lists"
                : " (no libjvm.so in its memory map)") + ", so nothing was sent to it: attaching signals the "
                + "process (SIGQUIT), which ends most other programs.");
        List<String> children = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(process -> process.children().forEach(child -> {
            if (children.size() < 5 && JvmProcess.of(procRoot, child.pid()) == JvmProcess.Verdict.JVM) {
                children.add(Long.toString(child.pid()));
            }
        }));
        if (!children.isEmpty()) {
            err.println("  Its child process" + (children.size() > 1 ? "es " : " ") + String.join(", ", children)
                    + (children.size() > 1 ? " are JVMs" : " is a JVM") + "; give its process id instead.");
        } else {
            err.println("  Java processes of this user: java -jar " + agentJar.getFileName() + " list");
        }
        return false;
    }

    private int attachFailed(String pid, Exception e) {
        boolean exited = ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true);
        if (exited) {
            // "No such process. It must be a HotSpot JVM..." misled when the target had just ended (2026-12-02).
            err.println("closewait: process " + pid + " exited while the command was attaching to it.");
            return 1;
        }
        err.println("closewait: cannot attach to process " + pid + ": " + SafeText.bounded(e.getMessage(), 500)
                + ". It must be a HotSpot JVM 17 or later of this user, started without -XX:+DisableAttachMechanism.");
        return 1;
    }

    private int loadFailed(String pid, Exception e) {
        String message = SafeText.bounded(String.valueOf(e.getMessage()), 500);
        if (message.contains("EnableDynamicAgentLoading") || message.contains("Dynamic agent loading")) {
            err.println("closewait: process " + pid + " does not accept agents loaded at run time. The JDK says: "
                    + message);
            err.println("  It was started with -XX:-EnableDynamicAgentLoading. Restart it with "
                    + "-XX:+EnableDynamicAgentLoading (which also silences JDK 21+'s warning about agents loaded at run "
                    + "time), or with -javaagent:" + agentJar + " on its command line.");
        } else {
            err.println("closewait: loading the agent into process " + pid + " failed: "
                    + SafeText.bounded(e.toString(), 500));
        }
        return 1;
    }

    static int javaFeature(Properties properties) {
        try {
            String version = properties.getProperty("java.specification.version", "");
            return Integer.parseInt(version.startsWith("1.") ? version.substring(2) : version);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private record Target(String pid, String user, int exitStatus) {
        static Target failed(int exitStatus) {
            return new Target(null, null, exitStatus);
        }
    }

    /** For tests: the arguments after the command word, without {@code --json}. */
    static List<String> withoutFlags(List<String> arguments) {
        List<String> rest = new ArrayList<>(arguments);
        rest.removeIf(argument -> argument.equals("--json"));
        return rest;
    }
}
