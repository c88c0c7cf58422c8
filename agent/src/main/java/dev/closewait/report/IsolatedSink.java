package dev.closewait.report;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.Churn;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.TcpState;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One report sink on a daemon thread of its own ({@code closewait-report-<name>}, started with the first event) behind
 * a bounded queue, so that a sink that blocks (a log appender stuck on a full disk or a dead network) or throws can
 * neither delay nor drop another sink's events, nor ever block the detector: when the queue is full the event is
 * dropped for this sink alone and counted ({@link #dropped()}), said once on standard error.
 *
 * <p>Each sink has its own failure budget: its errors are counted and the first of each kind is logged (like
 * {@link AgentErrors}), and after {@link AgentErrors#GIVE_UP_AFTER} of them this sink alone is turned off.
 */
final class IsolatedSink implements LeakListener {

    static final int QUEUE_CAPACITY = 10_000;

    private final String name;
    private final LeakListener sink;
    private final Consumer<String> warn;
    private final BlockingQueue<Consumer<LeakListener>> queue;
    private final AgentErrors failures;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean tickPending = new AtomicBoolean();
    private final boolean ticks;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean off;
    private volatile Thread thread;

    /**
     * @param name     how the sink is named in messages and in its thread's name ("log", "json")
     * @param warn     where the agent's own one-line messages go (standard error)
     * @param capacity events that may wait for the sink before new ones are dropped; 0 for a sink that never blocks,
     *                 called at once on the caller's thread (no thread of its own, nothing dropped)
     */
    IsolatedSink(String name, LeakListener sink, Consumer<String> warn, int capacity) {
        this.name = name;
        this.sink = sink;
        this.warn = warn;
        this.queue = capacity == 0 ? null : new ArrayBlockingQueue<>(capacity);
        this.ticks = overridesTick(sink);
        this.failures = new AgentErrors(warn);
        failures.onGiveUp(new Runnable() { // not a lambda: made during the agent's start (see ReportDispatcher)
            @Override
            public void run() {
                off = true;
                if (queue != null) {
                    queue.clear();
                }
                warn.accept("closewait: the " + name + " report failed " + AgentErrors.GIVE_UP_AFTER + " times and "
                        + "is turned off; the other reports go on.");
            }
        });
    }

    String name() {
        return name;
    }

    /** Called on the caller's thread: a sink that never blocks. */
    boolean inline() {
        return queue == null;
    }

    /** Events dropped because the sink was not keeping up. */
    long dropped() {
        return dropped.get();
    }

    /** Errors the sink threw (each caught, counted, the first of each kind logged). */
    long failures() {
        return failures.count();
    }

    @Override
    public void leakDetected(Leak leak) {
        offer(new Event(Event.LEAK, leak));
    }

    @Override
    public void leakResolved(LeakOutcome outcome) {
        offer(new Event(Event.RESOLVED, outcome));
    }

    @Override
    public void churn(Churn churn) {
        offer(new Event(Event.CHURN, churn));
    }

    @Override
    public void socketStates(Map<TcpState, Integer> countsByState) {
        offer(new Event(Event.STATES, countsByState));
    }

    /**
     * Whether {@code sink} has a {@code tick()} of its own: one that keeps {@link LeakListener}'s (which does nothing)
     * is never woken for a tick. The detector ticks every sink after every scan; a sink thread woken only to do
     * nothing is a wakeup that, on a virtual machine whose idle pages go cold, costs milliseconds (issue 16).
     */
    static boolean overridesTick(LeakListener sink) {
        try {
            return sink.getClass().getMethod("tick").getDeclaringClass() != LeakListener.class;
        } catch (NoSuchMethodException | RuntimeException e) {
            return true;
        }
    }

    /** Coalesced: at most one tick waits in the queue; none for a sink without a tick of its own. */
    @Override
    public void tick() {
        if (ticks && tickPending.compareAndSet(false, true) && !offer(new Event(Event.TICK, tickPending))) {
            tickPending.set(false);
        }
    }

    @Override
    public void finish() {
        offer(new Event(Event.FINISH, null));
    }

    /**
     * Waits until the sink has handled everything offered so far, at most until {@code deadlineNanos}
     * ({@link System#nanoTime()}); false if it has not (a stuck sink).
     */
    boolean drained(long deadlineNanos) throws InterruptedException {
        if (inline() || !started.get() || off) {
            return true;
        }
        CountDownLatch done = new CountDownLatch(1);
        // Not on the detector thread: this one may wait for room in the queue, until the deadline.
        if (!queue.offer(new Event(Event.MARK, done), Math.max(0, deadlineNanos - System.nanoTime()),
                TimeUnit.NANOSECONDS)) {
            return false;
        }
        while (!done.await(10, TimeUnit.MILLISECONDS)) {
            if (off) {
                return true; // turned off meanwhile: nothing more will be handled
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                return false;
            }
        }
        return true;
    }

    /** Stops the thread; later events are ignored. */
    void stop() {
        off = true;
        if (queue != null) {
            queue.clear();
        }
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }

    /**
     * One event for the sink, handed to it on its thread. A class rather than a lambda per kind of event: the first
     * events come during the agent's start, where each lambda is linked by spinning a class and method handles
     * (docs/performance.md, "Start-up CPU").
     */
    private static final class Event implements Consumer<LeakListener> {
        static final int LEAK = 0;
        static final int RESOLVED = 1;
        static final int CHURN = 2;
        static final int STATES = 3;
        /** A tick; the argument is the flag that says one is pending, cleared when it runs. */
        static final int TICK = 4;
        static final int FINISH = 5;
        /** Not for the sink: the argument, a latch, is counted down once everything before it was handled. */
        static final int MARK = 6;

        private final int kind;
        private final Object argument;

        Event(int kind, Object argument) {
            this.kind = kind;
            this.argument = argument;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void accept(LeakListener sink) {
            switch (kind) {
                case LEAK -> sink.leakDetected((Leak) argument);
                case RESOLVED -> sink.leakResolved((LeakOutcome) argument);
                case CHURN -> sink.churn((Churn) argument);
                case STATES -> sink.socketStates((Map<TcpState, Integer>) argument);
                case TICK -> {
                    ((AtomicBoolean) argument).set(false);
                    sink.tick();
                }
                case FINISH -> sink.finish();
                default -> ((CountDownLatch) argument).countDown();
            }
        }
    }

    private boolean offer(Consumer<LeakListener> event) {
        if (off) {
            return false;
        }
        if (inline()) {
            handle(event);
            return true;
        }
        start();
        if (queue.offer(event)) {
            return true;
        }
        if (dropped.getAndIncrement() == 0) {
            warn.accept("closewait: the " + name + " report is not keeping up (blocked or slow); its events are "
                    + "dropped and counted until it catches up; the other reports are not affected.");
        }
        return false;
    }

    private void start() {
        if (started.compareAndSet(false, true)) {
            Thread worker = new AgentThread("report-" + name, new Runnable() {
                @Override
                public void run() {
                    IsolatedSink.this.run();
                }
            });
            thread = worker;
            worker.start();
        }
    }

    private void run() {
        while (!off) {
            Consumer<LeakListener> event;
            try {
                event = queue.take();
            } catch (InterruptedException stopped) {
                return;
            }
            handle(event);
        }
    }

    private void handle(Consumer<LeakListener> event) {
        try {
            event.accept(sink);
        } catch (Throwable t) {
            failures.record("report to " + name, t);
        }
    }
}
