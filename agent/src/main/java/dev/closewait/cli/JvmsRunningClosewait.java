package dev.closewait.cli;

import dev.closewait.agent.AgentProperties;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Which of the listed JVMs run closewait: asks each for its system properties through the attach API, all at once,
 * with one deadline for the lot. A JVM that does not answer in time (paused, attach disabled) is "?".
 */
final class JvmsRunningClosewait {

    static final long DEADLINE_MILLIS = 5_000;
    static final String YES = "yes";
    static final String NO = "no";
    static final String UNKNOWN = "?";

    private JvmsRunningClosewait() {
    }

    /** For each JVM, in order: yes, no or ?. */
    static List<String> check(AttachApi attachApi, List<AttachApi.Jvm> jvms) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, jvms.size()), task -> {
            Thread thread = new Thread(task, "closewait-cli-list");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (AttachApi.Jvm jvm : jvms) {
                answers.add(pool.submit(() -> {
                    try (AttachApi.Session session = attachApi.attach(jvm.pid())) {
                        Properties properties = session.systemProperties();
                        return properties.getProperty(AgentProperties.INSTALLED) != null ? YES : NO;
                    }
                }));
            }
            long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000L;
            List<String> marks = new ArrayList<>();
            for (Future<String> answer : answers) {
                try {
                    marks.add(answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (Exception e) {
                    answer.cancel(true);
                    marks.add(UNKNOWN);
                }
            }
            return marks;
        } finally {
            pool.shutdownNow();
        }
    }
}
