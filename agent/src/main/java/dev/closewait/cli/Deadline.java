package dev.closewait.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one step that may block on another process (an attach, a read from a file that process controls) on a daemon
 * thread, and waits at most a deadline: a paused target, a FIFO or a stuck socket cannot hang the command.
 */
final class Deadline {

    private Deadline() {
    }

    /** The step's result; an {@link IOException} naming the step when it takes longer than {@code millis}. */
    static <T> T within(long millis, String step, Callable<T> work) throws Exception {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = new Thread(task, "closewait-cli-" + step.replace(' ', '-'));
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new IOException(step + " took longer than " + millis / 1000 + " s (is the process paused?)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw new IOException(step + " failed: " + cause, cause);
        }
    }
}
