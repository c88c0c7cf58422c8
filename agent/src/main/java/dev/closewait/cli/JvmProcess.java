package dev.closewait.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a process is a HotSpot JVM, asked before attaching to it. The JDK's attach API (Linux) starts a target's
 * attach listener by creating {@code .attach_pid<pid>} and sending it SIGQUIT: a JVM answers with its listener, but
 * any other process takes the signal's default action and ends (a {@code sleep} did, 2026-12-02), and a wrapper such
 * as {@code timeout} passes it on to its JVM child, which prints a thread dump to its output. So the command attaches
 * only to a process whose memory map holds {@code libjvm.so} (proc(5), {@code /proc/PID/maps}).
 */
final class JvmProcess {

    /** What the memory map says. */
    enum Verdict {
        JVM,
        NOT_A_JVM,
        /** No {@code /proc} here, or the map could not be read. */
        UNKNOWN
    }

    private JvmProcess() {
    }

    /**
     * The process's name from {@code proc/PID/comm} (proc(5): at most 15 characters), where the JDK gives no command
     * (PID 1 in a container, another user's process); "?" when that cannot be read either. Never throws.
     */
    static String name(Path procRoot, long pid) {
        try {
            String comm = Files.readString(procRoot.resolve(Long.toString(pid)).resolve("comm"),
                    StandardCharsets.ISO_8859_1).strip();
            return comm.isEmpty() ? "?" : comm;
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Reads {@code proc/PID/maps} under {@code procRoot} ({@code /proc} outside tests); never throws. */
    static Verdict of(Path procRoot, long pid) {
        Path maps = procRoot.resolve(Long.toString(pid)).resolve("maps");
        try (BufferedReader lines = Files.newBufferedReader(maps, StandardCharsets.ISO_8859_1)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.contains("/libjvm.so")) { // also "(deleted)": the JDK was upgraded under it
                    return Verdict.JVM;
                }
            }
            return Verdict.NOT_A_JVM; // an empty map too: a kernel thread, or a process exiting
        } catch (IOException | RuntimeException e) {
            return Verdict.UNKNOWN;
        }
    }
}
