package dev.closewait.kernel;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's id. On Linux it is the target of the {@code /proc/self} link (proc(5)): one readlink(2).
 * {@code ProcessHandle.current().pid()} gives the same number but starts the JDK's process-handle machinery, about
 * 11 ms of a cold JVM's CPU (JDK 17 and 25, measured); it is the fallback where there is no {@code /proc}.
 */
public final class ProcessId {

    private static final long CURRENT = read();

    private ProcessId() {
    }

    /** The id of this process; read once. */
    public static long current() {
        return CURRENT;
    }

    private static long read() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (Exception | LinkageError notLinux) {
            return ProcessHandle.current().pid();
        }
    }
}
