package dev.closewait.cli;

import dev.closewait.agent.AgentProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands against a fake attach API: a target whose agent has just started, and attach's verdict. */
class CommandsTest {

    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A live process of this user that is not this one. */
    private static String target() {
        return Long.toString(ProcessHandle.current().parent().orElseThrow().pid());
    }

    /** A fake target whose system properties are given per read, the last one repeated. */
    private static AttachApi fake(List<Properties> reads, List<String> loads) {
        AtomicInteger read = new AtomicInteger();
        return new AttachApi() {
            @Override
            Session attach(String pid) {
                return new Session() {
                    @Override
                    public Properties systemProperties() {
                        return reads.get(Math.min(read.getAndIncrement(), reads.size() - 1));
                    }

                    @Override
                    public void loadAgent(String jar, String options) {
                        loads.add(options);
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }

    private static Properties properties(String... keysAndValues) {
        Properties properties = new Properties();
        properties.setProperty("java.specification.version", "17");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    /** Commands whose {@link #target()} is a JVM by its memory map: the fake attach API stands for it. */
    private Commands commands(AttachApi api) {
        try {
            Path proc = temp.resolve("proc-" + target());
            if (!Files.isDirectory(proc)) {
                Files.createDirectories(proc.resolve(target()));
                Files.writeString(proc.resolve(target()).resolve("maps"),
                        "7f00-7f80 r-xp 00000000 fe:00 3301 /usr/lib/jvm/java-17/lib/server/libjvm.so\n");
            }
            return commands(api, proc);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Commands commands(AttachApi api, Path procRoot) {
        return new Commands(api, Path.of("closewait-agent.jar"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), procRoot);
    }

    /** Issue 16: the mailbox opens off the main thread, after the agent says it is installed; the command waits. */
    @Test
    void waitsForTheMailboxOfAnAgentThatHasJustStarted() throws Exception {
        Path box = Files.createDirectory(temp.resolve("box"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))).toRealPath();
        Properties starting = properties(AgentProperties.INSTALLED, "true");
        Properties ready = properties(AgentProperties.INSTALLED, "true", AgentProperties.MAILBOX, box.toString());
        Thread agent = answering(box, "closewait status\n");

        int status = commands(fake(List.of(starting, starting, starting, ready), new java.util.ArrayList<>()))
                .ask(target(), "status");
        agent.join(10_000);

        assertEquals(0, status, err.toString());
        assertEquals("closewait status\n", out.toString());
    }

    @Test
    void saysWhyAnAgentWithoutMailboxCannotAnswer() {
        Properties broken = properties(AgentProperties.INSTALLED, "true", AgentProperties.MAILBOX_ERROR,
                "cannot create a private directory in /ro (Read-only file system)");

        int status = commands(fake(List.of(broken), new java.util.ArrayList<>())).ask(target(), "table");

        assertEquals(1, status);
        assertTrue(err.toString().contains("but cannot answer: cannot create a private directory in /ro"), err.toString());
    }

    @Test
    void attachPrintsTheVerdictAndFailsOnARejectedOption() {
        String verdict = "state\tinstalled\nproblem\tclosewait: option 'grace' has invalid value 'abc': expected a "
                + "duration; using 30s.\noption\tgrace\t30s\tdefault\noption\treport\t/tmp/r\tagent argument\n";
        List<String> loads = new java.util.ArrayList<>();
        AttachApi api = fake(List.of(properties(), properties(AgentProperties.INSTALLED, "true",
                AgentProperties.VERDICT, verdict)), loads);

        int status = commands(api).attach(target(), "grace=abc,report=/tmp/r");

        assertEquals(1, status, out + "\n" + err);
        assertEquals(List.of("grace=abc,report=/tmp/r"), loads);
        assertTrue(out.toString().contains("  grace   30s     default\n"), out.toString());
        assertTrue(out.toString().contains("  report  /tmp/r  agent argument\n"), out.toString());
        assertTrue(err.toString().contains("rejected: closewait: option 'grace' has invalid value 'abc'"),
                err.toString());
    }

    /** The agent reads its options on its own start thread: the verdict may come after loading returned. */
    @Test
    void attachWaitsForTheVerdictOfAnAgentStillStarting() {
        Properties starting = properties(AgentProperties.INSTALLED, "true");
        AttachApi api = fake(List.of(properties(), starting, starting, properties(AgentProperties.INSTALLED, "true",
                AgentProperties.VERDICT, "state\tinstalled\nproblem\tclosewait: unknown option 'x' ignored\n")),
                new java.util.ArrayList<>());

        assertEquals(1, commands(api).attach(target(), "x=1"), out + "\n" + err);
        assertTrue(err.toString().contains("rejected: closewait: unknown option 'x' ignored"), err.toString());
    }

    @Test
    void attachWithGoodOptionsSucceedsAndATargetThatSaysDisabledFails() {
        AttachApi good = fake(List.of(properties(), properties(AgentProperties.INSTALLED, "true",
                AgentProperties.VERDICT, "state\tinstalled\noption\tgrace\t2s\tagent argument\n")),
                new java.util.ArrayList<>());
        assertEquals(0, commands(good).attach(target(), "grace=2s"), err.toString());

        AttachApi disabled = fake(List.of(properties(), properties(AgentProperties.VERDICT,
                "state\tdisabled\noption\tenabled\tfalse\tenvironment CLOSEWAIT_ENABLED\n")),
                new java.util.ArrayList<>());
        assertEquals(1, commands(disabled).attach(target(), "grace=2s"));
        assertTrue(err.toString().contains("enabled=false (environment CLOSEWAIT_ENABLED)"), err.toString());
    }

    @Test
    void aVerdictWithControlCharactersCannotForgeLines() {
        AttachVerdict verdict = AttachVerdict.parse("state\tinstalled\nproblem\tevil \u001b[2J\u0007\n");
        assertEquals(List.of("evil \\u001b[2J\\u0007"), verdict.problems());
    }

    /**
     * Attaching signals the target (SIGQUIT), which ends a process that is not a JVM: a {@code sleep} given by mistake
     * was killed, and the command then said "No such process" (2026-12-02). It is refused, unsignalled, and alive.
     */
    @Test
    void aProcessThatIsNotAJvmIsRefusedWithoutSignallingIt() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            List<String> attached = new java.util.ArrayList<>();
            AttachApi api = new AttachApi() {
                @Override
                Session attach(String pid) {
                    attached.add(pid);
                    throw new AssertionError("attached to " + pid);
                }
            };
            String pid = Long.toString(sleep.pid());

            assertEquals(1, commands(api, Path.of("/proc")).attach(pid, ""));
            assertEquals(1, commands(api, Path.of("/proc")).ask(pid, "status"));

            assertEquals(List.of(), attached);
            assertTrue(sleep.isAlive());
            assertTrue(err.toString().contains("closewait: process " + pid + " (sleep) is not a Java virtual machine "
                    + "(no libjvm.so in its memory map), so nothing was sent to it"), err.toString());
        } finally {
            sleep.destroy();
        }
    }

    /** Where the memory map cannot be read (no /proc), the attach API's own list decides. */
    @Test
    void withoutAMemoryMapOnlyAJvmTheAttachApiListsIsAttachedTo() throws Exception {
        String pid = target();
        List<String> attached = new java.util.ArrayList<>();
        List<AttachApi.Jvm> listed = new java.util.ArrayList<>();
        AttachApi api = new AttachApi() {
            @Override
            List<Jvm> list() {
                return listed;
            }

            @Override
            Session attach(String target) throws Exception {
                attached.add(target);
                throw new java.io.IOException("not answering");
            }
        };
        Path noProc = Files.createDirectory(temp.resolve("no-proc"));

        assertEquals(1, commands(api, noProc).attach(pid, ""));
        assertEquals(List.of(), attached);
        assertTrue(err.toString().contains("is not a Java virtual machine that this user's attach API lists"),
                err.toString());

        listed.add(new AttachApi.Jvm(pid, "app.jar"));
        assertEquals(1, commands(api, noProc).attach(pid, ""));
        assertEquals(List.of(pid), attached);
    }

    /** A wrapper (timeout, a shell) is not the JVM: the refusal names its child that is. */
    @Test
    void aWrapperIsRefusedAndItsJvmChildNamed() throws Exception {
        Process wrapper = new ProcessBuilder("sh", "-c", "sleep 30 & wait").start();
        try {
            ProcessHandle child = null;
            for (int i = 0; i < 200 && child == null; i++) {
                child = wrapper.toHandle().children().findFirst().orElse(null);
                if (child == null) {
                    Thread.sleep(10);
                }
            }
            assertTrue(child != null, "the wrapper started no child in 2 s");
            Path proc = Files.createDirectory(temp.resolve("proc"));
            Files.createDirectories(proc.resolve(Long.toString(wrapper.pid())));
            Files.writeString(proc.resolve(wrapper.pid() + "/maps"),
                    "55d0-55d2 r-xp 00000000 fe:00 2601 /usr/bin/dash\n");
            Files.createDirectories(proc.resolve(Long.toString(child.pid())));
            Files.writeString(proc.resolve(child.pid() + "/maps"),
                    "7f00-7f80 r-xp 00000000 fe:00 3301 /usr/lib/jvm/java-17/lib/server/libjvm.so (deleted)\n");

            assertEquals(1, commands(fake(List.of(properties()), new java.util.ArrayList<>()), proc)
                    .attach(Long.toString(wrapper.pid()), ""));

            assertTrue(err.toString().contains("Its child process " + child.pid() + " is a JVM; give its process id "
                    + "instead."), err.toString());
        } finally {
            wrapper.descendants().forEach(ProcessHandle::destroy);
            wrapper.destroy();
        }
    }

    /** Each wrong command line says what is wrong before the usage text (it printed the bare usage, 2026-12-02). */
    @Test
    void aWrongCommandLineSaysWhatIsWrong() {
        assertEquals("unknown command 'bogus'.", ClosewaitCli.problem(List.of("bogus", "1"), false));
        assertEquals("unknown option '--jsn'; only report takes --json.",
                ClosewaitCli.problem(List.of("report", "--jsn", "12"), false));
        assertEquals("unexpected 'extra' after report <pid>.", ClosewaitCli.problem(List.of("report", "12", "extra"),
                false));
        assertEquals("unexpected 'extra' after list.", ClosewaitCli.problem(List.of("list", "extra"), false));
        assertEquals("status needs a process id (see: list).", ClosewaitCli.problem(List.of("status"), false));
        assertEquals("only report takes --json.", ClosewaitCli.problem(List.of("status", "12"), true));
        assertEquals(null, ClosewaitCli.problem(List.of("attach", "12", "grace=1s"), false));
        assertEquals(null, ClosewaitCli.problem(List.of("report", "12"), true));
    }

    @Test
    void aNegativeOrZeroProcessIdIsAUsageError() {
        assertEquals(2, commands(fake(List.of(properties()), new java.util.ArrayList<>())).ask("-5", "table"));
        assertEquals(2, commands(fake(List.of(properties()), new java.util.ArrayList<>())).attach("0", ""));
        assertTrue(err.toString().contains("'-5' is not a process id"), err.toString());
    }

    @Test
    void namesAProcessByItsCommWhenTheJdkGivesNoCommand() throws Exception {
        Path proc = Files.createDirectories(temp.resolve("comm-proc/1"));
        Files.writeString(proc.resolve("comm"), "process_api\n");
        assertEquals("process_api", JvmProcess.name(temp.resolve("comm-proc"), 1));
        assertEquals("?", JvmProcess.name(temp.resolve("comm-proc"), 2));
    }

    private static Thread answering(Path box, String answer) {
        Thread agent = new Thread(() -> {
            try {
                for (int i = 0; i < 500; i++) {
                    try (var requests = Files.newDirectoryStream(box, "*.request")) {
                        for (Path request : requests) {
                            Files.writeString(box.resolve(request.getFileName().toString()
                                    .replace(".request", ".response")), answer);
                            return;
                        }
                    }
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        agent.start();
        return agent;
    }
}
