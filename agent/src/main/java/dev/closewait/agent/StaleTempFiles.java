package dev.closewait.agent;

import dev.closewait.kernel.ProcessId;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;

/**
 * Removes what a JVM killed without running its exit hooks ({@code kill -9}, OOM killer) left in the temporary
 * directory: report-command directories ({@code closewait-PID-*}) and Micrometer binder copies
 * ({@code closewait-micrometer-PID-*.jar}). Only entries of this user, never through a symbolic link, and only when
 * process PID is gone or started after the entry was last changed (its number was reused).
 */
final class StaleTempFiles {

    /** A bound on the work one start does; the next start takes the rest. */
    private static final int MAX_REMOVED = 64;

    private StaleTempFiles() {
    }

    /** Never throws; returns how many entries were removed. */
    static int remove(Path temporaryDirectory) {
        int removed = 0;
        String me = System.getProperty("user.name");
        // Every entry, filtered by pidOf: a glob is compiled into a regular expression (see pidOf).
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(temporaryDirectory)) {
            for (Path entry : entries) {
                if (removed >= MAX_REMOVED) {
                    break;
                }
                long pid = pidOf(entry.getFileName().toString());
                if (pid < 0) {
                    continue;
                }
                try {
                    BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (attributes.isSymbolicLink()
                            || !Files.getOwner(entry, LinkOption.NOFOLLOW_LINKS).getName().equals(me)
                            || !stale(pid, attributes.lastModifiedTime().toInstant())) {
                        continue;
                    }
                    if (attributes.isDirectory() ? removeDirectory(entry) : Files.deleteIfExists(entry)) {
                        removed++;
                    }
                } catch (IOException | RuntimeException skipped) {
                    // another JVM's entry, or gone meanwhile
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // nothing to clean, or no right to look
        }
        return removed;
    }

    /**
     * The process number in an entry's name, {@code closewait-PID-…} or {@code closewait-micrometer-PID-…} (1 to 10
     * digits); -1 for any other name. Not a regular expression: this runs at every start, and compiling one links
     * lambdas inside {@code java.util.regex} (docs/performance.md, "Start-up CPU").
     */
    static long pidOf(String name) {
        String prefix = "closewait-";
        if (!name.startsWith(prefix)) {
            return -1;
        }
        int start = prefix.length();
        if (name.startsWith("micrometer-", start)) {
            start += "micrometer-".length();
        }
        int end = start;
        while (end < name.length() && end - start <= 10 && name.charAt(end) >= '0' && name.charAt(end) <= '9') {
            end++;
        }
        if (end == start || end - start > 10 || end >= name.length() || name.charAt(end) != '-'
                || name.indexOf('/', end) >= 0) {
            return -1;
        }
        return Long.parseLong(name, start, end, 10);
    }

    /** Whether the process that made an entry last changed at {@code changed} is gone. */
    static boolean stale(long pid, Instant changed) {
        if (pid == ProcessId.current()) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        Optional<Instant> started = process.get().info().startInstant();
        // Allow a second for the clocks' granularity: a live owner always started before its entry changed.
        return started.isPresent() && started.get().isAfter(changed.plusSeconds(1));
    }

    /** Removes a directory and the plain entries in it (links are removed, never followed); never throws. */
    static boolean removeDirectory(Path directory) {
        try {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
                for (Path file : files) {
                    Files.deleteIfExists(file);
                }
            }
            return Files.deleteIfExists(directory);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
