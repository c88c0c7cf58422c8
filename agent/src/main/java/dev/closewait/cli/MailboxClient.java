package dev.closewait.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The command's side of the agent's mailbox (see the agent's {@code Mailbox}). The target names the directory, so
 * nothing about it is trusted, which matters when the command runs as root: the directory must belong to the
 * target's user, have mode 700 and be reached through no symbolic link; the request is created new (never through an
 * existing file or link); the answer must be a regular file, no link, at most {@link #MAX_ANSWER_BYTES}; and every
 * wait has a deadline.
 */
final class MailboxClient {

    static final int MAX_ANSWER_BYTES = 16 << 20;
    static final long ANSWER_TIMEOUT_MILLIS = 10_000;

    private final Path directory;

    private MailboxClient(Path directory) {
        this.directory = directory;
    }

    /**
     * The mailbox named by the target, checked.
     *
     * @param owner the target process's user, as {@code ProcessHandle.Info.user()} gives it
     * @throws IOException naming what is wrong with it
     */
    static MailboxClient verified(String named, String owner) throws IOException {
        Path directory = Path.of(named);
        if (!directory.isAbsolute()) {
            throw new IOException("the mailbox " + named + " is not an absolute path");
        }
        PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink() || !attributes.isDirectory()) {
            throw new IOException("the mailbox " + named + " is not a directory (a symbolic link?)");
        }
        if (!directory.toRealPath().equals(directory.normalize())) {
            throw new IOException("the mailbox " + named + " is reached through a symbolic link ("
                    + directory.toRealPath() + ")");
        }
        if (owner == null || !attributes.owner().getName().equals(owner)) {
            throw new IOException("the mailbox " + named + " belongs to user '" + attributes.owner().getName()
                    + "', not to the process's user '" + owner + "'");
        }
        String mode = PosixFilePermissions.toString(attributes.permissions());
        if (!mode.equals("rwx------")) {
            throw new IOException("the mailbox " + named + " has mode " + mode + ", not rwx------");
        }
        return new MailboxClient(directory);
    }

    /** Drops a request and waits (at most {@link #ANSWER_TIMEOUT_MILLIS}) for its answer. */
    String ask(String request) throws Exception {
        String name = "ask-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path requestFile = directory.resolve(name + ".request");
        Path response = directory.resolve(name + ".response");
        Files.write(requestFile, request.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        long deadline = System.nanoTime() + ANSWER_TIMEOUT_MILLIS * 1_000_000L;
        try {
            while (true) {
                PosixFileAttributes attributes = attributesOrNull(response);
                if (attributes != null) {
                    return readAnswer(response, attributes, deadline);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("no answer within " + ANSWER_TIMEOUT_MILLIS / 1000
                            + " s (is the process paused, or busy?)");
                }
                Thread.sleep(50);
            }
        } finally {
            Files.deleteIfExists(requestFile);
            Files.deleteIfExists(response);
        }
    }

    private static PosixFileAttributes attributesOrNull(Path file) throws IOException {
        try {
            return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException notYet) {
            return null;
        }
    }

    private static String readAnswer(Path response, PosixFileAttributes attributes, long deadline) throws Exception {
        if (!attributes.isRegularFile()) {
            throw new IOException("the answer " + response + " is not a regular file");
        }
        if (attributes.size() > MAX_ANSWER_BYTES) {
            throw new IOException("the answer " + response + " is larger than " + (MAX_ANSWER_BYTES >> 20) + " MiB");
        }
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
        // Opened without following a link; on a thread of its own in case it became a FIFO since it was checked.
        byte[] bytes = Deadline.within(left, "reading the answer", () -> {
            try (InputStream in = Files.newInputStream(response, LinkOption.NOFOLLOW_LINKS)) {
                return in.readNBytes(MAX_ANSWER_BYTES + 1);
            }
        });
        if (bytes.length > MAX_ANSWER_BYTES) {
            throw new IOException("the answer " + response + " is larger than " + (MAX_ANSWER_BYTES >> 20) + " MiB");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
