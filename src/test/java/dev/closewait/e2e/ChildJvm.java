package dev.closewait.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM started by a test, with its output in files. It is always ended: {@link #close()} asks it to exit through
 * its standard input and kills it if it does not.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static ChildJvm start(List<String> command, Map<String, String> environment, Path workDir)
            throws IOException {
        Files.createDirectories(workDir);
        Path out = workDir.resolve("stdout.txt");
        Path err = workDir.resolve("stderr.txt");
        Files.writeString(workDir.resolve("command.txt"), String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        builder.environment().keySet().removeIf(name -> name.startsWith("CLOSEWAIT_"));
        builder.environment().putAll(environment);
        Process process = builder
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        return new ChildJvm(process, out, err);
    }

    public long pid() {
        return process.pid();
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** Waits (bounded) until standard output has a line matching the pattern; returns the match. */
    public Matcher awaitStdout(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = pattern.matcher(stdout());
            if (matcher.find()) {
                return matcher;
            }
            if (!process.isAlive()) {
                throw new AssertionError("child JVM exited with " + process.exitValue() + " before printing "
                        + pattern + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("child JVM did not print " + pattern + " within " + timeout
                + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
    }

    /**
     * Waits (bounded) until standard error holds {@code fragment} at least {@code count} times; returns standard
     * error, or fails with it if the time ran out or the child exited first.
     */
    public String awaitStderr(String fragment, int count, Duration timeout) throws InterruptedException {
        Waits.until(this::stderr, text -> occurrences(text, fragment) >= count || !process.isAlive(), timeout);
        String err = stderr(); // read again: the child may have written its last lines as it exited
        if (occurrences(err, fragment) < count) {
            throw new AssertionError("child JVM's stderr did not show \"" + fragment + "\" " + count + " times within "
                    + timeout + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
                    + "\nstdout:\n" + stdout() + "\nstderr:\n" + err);
        }
        return err;
    }

    /** How often {@code fragment} occurs in {@code text}. */
    public static int occurrences(String text, String fragment) {
        return text.split(Pattern.quote(fragment), -1).length - 1;
    }

    /** Waits (bounded) until the child exits by itself; returns its exit code, or empty if it is still running. */
    public Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return exitCode();
    }

    /** Writes a line to the child's standard input. */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Asks the child to exit and returns its exit code. */
    public int exit(Duration timeout) throws InterruptedException {
        try {
            OutputStream in = process.getOutputStream();
            in.write("exit\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException alreadyGone) {
            // it may have exited by itself
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("child JVM did not exit within " + timeout + "\nstderr:\n" + stderr());
        }
        return process.exitValue();
    }

    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
