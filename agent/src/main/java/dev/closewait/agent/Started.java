package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import dev.closewait.jdk.JavaBaseHooks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the background start built, for turning the agent off (too many internal errors, or a failed start) and
 * for the last scan at exit; safe to use from any thread at any point of the start. Run as a {@code Runnable}
 * when the internal errors reach {@link AgentErrors#GIVE_UP_AFTER}: turning off stops everything that runs, the
 * hooks, the detector thread (with the report command's poll and the Micrometer search on it), the kernel reader
 * at its next turn, and the metrics endpoint.
 */
final class Started implements Runnable {

    /** How long JVM exit may wait for the last reports. */
    static final long FINAL_SCAN_TIMEOUT_MILLIS = 2_000;

    private final CountDownLatch announced = new CountDownLatch(1);
    private volatile Tracking tracking;
    private ScheduledExecutorService detectorThread;
    private DetectorThread.Task finalScan;
    private MailboxService mailbox;
    private Runnable stopMetrics;
    private boolean off;
    private boolean exited;

    /** What the hooks report to; null until the start has built it. */
    Tracking tracking() {
        return tracking;
    }

    void tracking(Tracking built) {
        tracking = built;
    }

    /** The option problems and the start line are printed (or the start failed before). */
    void announced() {
        announced.countDown();
    }

    /** Records the running parts; false (and stops them) if the agent was turned off or the JVM exits meanwhile. */
    synchronized boolean running(ScheduledExecutorService detectorThread, DetectorThread.Task finalScan,
                                 MailboxService mailbox) {
        this.detectorThread = detectorThread;
        this.finalScan = finalScan;
        this.mailbox = mailbox;
        if (off || exited) {
            detectorThread.shutdownNow();
            mailbox.close();
        }
        return !off && !exited;
    }

    /** The JVM exits with nothing to report: a start still under way stops where it is. */
    void exited() {
        ScheduledExecutorService thread;
        MailboxService box;
        synchronized (this) {
            exited = true;
            thread = detectorThread;
            box = mailbox;
        }
        if (thread != null) {
            thread.shutdownNow();
        }
        if (box != null) {
            box.close();
        }
    }

    /** Records how to stop the metrics endpoint; false if the agent was turned off meanwhile. */
    synchronized boolean metricsStarted(Runnable stop) {
        stopMetrics = stop;
        return !off;
    }

    @Override
    public void run() {
        if (turnOff()) {
            AgentStderr.println("closewait: turned itself off after " + AgentErrors.GIVE_UP_AFTER + " internal "
                    + "errors (the first of each kind are logged above); the application runs on without it.");
        }
    }

    /** Makes the hooks inert and stops what runs; false if it was off already. */
    boolean turnOff() {
        JavaBaseHooks.install(null);
        ScheduledExecutorService thread;
        Runnable stop;
        synchronized (this) {
            if (off) {
                return false;
            }
            off = true;
            thread = detectorThread;
            stop = stopMetrics;
        }
        if (thread != null) {
            thread.shutdownNow();
        }
        if (stop != null) {
            stop.run();
        }
        return true;
    }

    /**
     * At JVM exit: waits (briefly) for the option problems and the start line to be printed, then runs the last
     * scan on the detector thread, like every report, so that nothing writes the sinks at once. A start still
     * under way by then has reported nothing yet, and stops where it is.
     */
    void finish() {
        try {
            announced.await(FINAL_SCAN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ScheduledExecutorService thread;
        DetectorThread.Task scan;
        MailboxService box;
        boolean wasOff;
        synchronized (this) {
            exited = true;
            thread = detectorThread;
            scan = finalScan;
            box = mailbox;
            wasOff = off;
        }
        if (thread != null && !wasOff) {
            DetectorThread.runAndWait(thread, scan, FINAL_SCAN_TIMEOUT_MILLIS, tracking.errors());
        }
        if (box != null) {
            box.close();
        }
    }
}
