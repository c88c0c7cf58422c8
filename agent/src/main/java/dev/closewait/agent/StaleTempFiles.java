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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes what a JVM killed without running its exit hooks ({@code kill -9}, OOM killer) left in the temporary
 * directory: report-command directories ({@code closewait-PID-*}) and Micrometer binder copies
 * ({@code closewait-micrometer-PID-*.jar}). Only entries of this user, never through a symbolic link, and only when
 * process PID is gone or started after the entry was last changed (its number was reused).
 */
final class StaleTempFiles {

    private static final Pattern NAME = Pattern.compile("closewait-(?:micrometer-)?(\\d{1,10})-[^/]*");
    /** A bound on the work one start does; the next start takes the rest. */
    private static final int MAX_REMOVED = 64;

    private StaleTempFiles() {
    }

    /** Never throws; returns how many entries were removed. */
    static int remove(Path temporaryDirectory) {
        int removed = 0;
        String me = System.getProperty("user.name");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(temporaryDirectory, "closewait-*")) {
            for (Path entry : entries) {
                if (removed >= MAX_REMOVED) {
                    break;
                }
                Matcher name = NAME.matcher(entry.getFileName().toString());
                if (!name.matches()) {
                    continue;
                }
                try {
                    BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (attributes.isSymbolicLink()
                            || !Files.getOwner(entry, LinkOption.NOFOLLOW_LINKS).getName().equals(me)
                            || !stale(Long.parseLong(name.group(1)), attributes.lastModifiedTime().toInstant())) {
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
