package dev.closewait.agent;

import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Opens the {@link Mailbox} on the detector thread right after start (never on the thread that runs {@code premain})
 * and answers its requests there once a second ({@link SecondTick}). Until it is open the system property naming it is absent, and
 * the command waits for it; if it cannot be created, {@link AgentProperties#MAILBOX_ERROR} says why, and one line on
 * standard error.
 */
final class MailboxService {

    private final Function<String, String> answers;
    private Mailbox mailbox; // guarded by this
    private boolean closed; // guarded by this

    private MailboxService(Function<String, String> answers) {
        this.answers = answers;
    }

    static MailboxService start(ScheduledExecutorService detector, SecondTick tick, Function<String, String> answers) {
        MailboxService service = new MailboxService(answers);
        // Classes, not method references: see AgentInstaller.
        detector.execute(new Runnable() {
            @Override
            public void run() {
                service.open();
            }
        });
        tick.add("report command", new DetectorThread.Task() {
            @Override
            public void run() throws Exception {
                service.answer();
            }
        });
        return service;
    }

    private void open() {
        Path temporary = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Mailbox opened = Mailbox.open(temporary, answers);
            synchronized (this) {
                if (closed) {
                    opened.close();
                    return;
                }
                mailbox = opened;
            }
            System.setProperty(AgentProperties.MAILBOX, opened.directory().toString());
        } catch (Throwable t) {
            String why = "cannot create a private directory in " + temporary + " (" + t + ")";
            System.setProperty(AgentProperties.MAILBOX_ERROR, why);
            AgentStderr.println("closewait: the report and status commands cannot reach this JVM: " + why
                    + "; leak reports are not affected. Set -Djava.io.tmpdir to a writable directory to enable them.");
        }
    }

    private void answer() throws Exception {
        Mailbox current;
        synchronized (this) {
            current = closed ? null : mailbox;
        }
        if (current != null) {
            current.answer(); // after close() it answers nothing: Mailbox checks under its own lock
        }
    }

    /** At exit: no answer after this, and the directory is removed. Never throws. */
    void close() {
        Mailbox current;
        synchronized (this) {
            closed = true;
            current = mailbox;
        }
        if (current != null) {
            current.close();
        }
    }
}
