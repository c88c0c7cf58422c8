package dev.closewait.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 12 item 8: the command, perhaps root, trusts nothing the target names. */
class MailboxClientTest {

    @TempDir
    Path temp;

    private static final String ME = System.getProperty("user.name");

    private Path mailbox() throws IOException {
        Path box = temp.resolve("box");
        Files.createDirectory(box, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return box.toRealPath();
    }

    @Test
    void acceptsAPrivateDirectoryOfTheTargetsUser() throws Exception {
        MailboxClient.verified(mailbox().toString(), ME);
    }

    @Test
    void refusesADirectoryOfAnotherUser() throws Exception {
        IOException refused = assertThrows(IOException.class,
                () -> MailboxClient.verified(mailbox().toString(), "somebody-else"));
        assertTrue(refused.getMessage().contains("belongs to user"), refused.getMessage());
        assertThrows(IOException.class, () -> MailboxClient.verified(mailbox().toString(), null));
    }

    @Test
    void refusesADirectoryOthersMayEnter() throws Exception {
        Path box = mailbox();
        Files.setPosixFilePermissions(box, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException refused = assertThrows(IOException.class, () -> MailboxClient.verified(box.toString(), ME));
        assertTrue(refused.getMessage().contains("mode rwxr-xr-x"), refused.getMessage());
    }

    @Test
    void refusesALinkOrAPathThroughOne() throws Exception {
        Path box = mailbox();
        Path link = Files.createSymbolicLink(temp.resolve("link"), box);
        assertThrows(IOException.class, () -> MailboxClient.verified(link.toString(), ME));
        Path linkedParent = Files.createSymbolicLink(temp.resolve("parent"), temp);
        assertThrows(IOException.class, () -> MailboxClient.verified(linkedParent.resolve("box").toString(), ME));
        assertThrows(IOException.class, () -> MailboxClient.verified("relative/box", ME));
        assertThrows(IOException.class, () -> MailboxClient.verified(Files.writeString(temp.resolve("f"), "")
                .toString(), ME));
    }

    @Test
    void refusesAnAnswerThatIsALinkToAFileTheTargetCannotRead() throws Exception {
        Path box = mailbox();
        Path secret = Files.writeString(temp.resolve("shadow"), "root:secret");
        IOException refused = assertThrows(IOException.class,
                () -> answeredBy(box, name -> Files.createSymbolicLink(box.resolve(name), secret)));
        assertTrue(refused.getMessage().contains("not a regular file"), refused.getMessage());
    }

    @Test
    void refusesAnAnswerLargerThanTheCap() throws Exception {
        Path box = mailbox();
        IOException refused = assertThrows(IOException.class, () -> answeredBy(box, name -> {
            try (var file = new java.io.RandomAccessFile(box.resolve(name).toFile(), "rw")) {
                file.setLength(MailboxClient.MAX_ANSWER_BYTES + 1L); // sparse: no disk used
            }
        }));
        assertTrue(refused.getMessage().contains("larger than 16 MiB"), refused.getMessage());
    }

    @Test
    void aFifoAnswerCannotHangTheCommand() throws Exception {
        Path box = mailbox();
        long start = System.nanoTime();
        IOException refused = assertThrows(IOException.class, () -> answeredBy(box, name -> {
            Process mkfifo = new ProcessBuilder("mkfifo", box.resolve(name).toString()).start();
            mkfifo.waitFor(10, TimeUnit.SECONDS);
        }));
        assertTrue(refused.getMessage().contains("not a regular file"), refused.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(MailboxClient.ANSWER_TIMEOUT_MILLIS / 1000 + 5));
    }

    @Test
    void readsAPlainAnswer() throws Exception {
        Path box = mailbox();
        assertEquals("ok\n", answeredBy(box, name -> Files.writeString(box.resolve(name), "ok\n")));
    }

    interface Answer {
        void write(String responseName) throws Exception;
    }

    /** Asks, with a fake agent that answers each request by {@code answer}. */
    private static String answeredBy(Path box, Answer answer) throws Exception {
        Thread agent = new Thread(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    try (var requests = Files.newDirectoryStream(box, "*.request")) {
                        for (Path request : requests) {
                            String name = request.getFileName().toString().replace(".request", ".response");
                            answer.write(name);
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
        try {
            return MailboxClient.verified(box.toString(), ME).ask("table");
        } finally {
            agent.join(10_000);
        }
    }
}
