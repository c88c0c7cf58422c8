package dev.closewait.report;

import dev.closewait.core.CallSite;
import dev.closewait.core.Leak;

import java.util.ArrayList;
import java.util.List;

/**
 * Which frames of a stack are the application's, and so which one a report names as the leak's site. A frame is the
 * application's unless it is the JDK's or belongs to a well-known library or framework ({@link #DEFAULT_LIBRARIES},
 * plus the {@code library-packages} option); packages named by the {@code app-packages} option are the
 * application's even under a library prefix. Immutable.
 */
public final class Sites {

    /**
     * Libraries and frameworks whose frames are never a leak's site: they open, pool, read and write sockets on the
     * application's behalf, and the code to fix is the application code that called them. Prefixes match whole name
     * parts ({@code org.apache.hc.} but not {@code org.apache.hcx}).
     */
    public static final List<String> DEFAULT_LIBRARIES = List.of(
            "org.apache.http.", "org.apache.hc.", "okhttp3.", "okio.", "retrofit2.", "feign.",
            "io.netty.", "reactor.", "io.projectreactor.", "org.eclipse.jetty.", "org.apache.tomcat.",
            "org.apache.catalina.", "org.apache.coyote.", "io.undertow.", "org.xnio.", "org.jboss.",
            "org.springframework.", "javax.servlet.", "jakarta.servlet.", "org.glassfish.", "io.grpc.", "io.vertx.",
            "io.micronaut.", "io.quarkus.", "org.apache.cxf.", "com.google.api.client.", "kotlinx.coroutines.",
            "redis.clients.", "io.lettuce.", "org.redisson.", "org.apache.commons.net.", "org.apache.commons.pool2.",
            "org.apache.commons.dbcp2.", "com.zaxxer.hikari.", "com.mchange.", "org.postgresql.", "com.mysql.",
            "org.mariadb.", "oracle.jdbc.", "com.microsoft.sqlserver.", "com.ibm.db2.", "org.h2.", "org.hsqldb.",
            "org.apache.derby.", "net.sourceforge.jtds.", "org.hibernate.", "org.mybatis.", "org.jooq.",
            "com.mongodb.", "org.mongodb.", "com.datastax.", "org.apache.kafka.", "com.rabbitmq.", "org.apache.activemq.",
            "net.spy.memcached.", "org.elasticsearch.", "co.elastic.", "software.amazon.awssdk.", "com.amazonaws.",
            "ch.qos.logback.", "org.apache.logging.log4j.", "org.slf4j.", "net.bytebuddy.", "org.aspectj.");

    /** The JDK: never the application, whatever the options say. */
    private static final String[] JDK_PREFIXES = {
            "java.", "javax.net.", "javax.security.", "sun.", "jdk.", "com.sun."};
    /** The agent itself, at the top of every captured stack. */
    private static final String[] AGENT_PREFIXES = {
            "dev.closewait.bootstrap.", "dev.closewait.core.", "dev.closewait.jdk.", "dev.closewait.instrument.",
            "dev.closewait.agent.", "dev.closewait.report.", "dev.closewait.shaded."};

    public static final Sites DEFAULT = new Sites(List.of(), List.of());

    private final List<String> applicationPackages;
    private final List<String> libraries;

    /**
     * @param applicationPackages package or class prefixes that are always the application's (option
     *                            {@code app-packages}); may be empty
     * @param extraLibraries      prefixes to skip in addition to {@link #DEFAULT_LIBRARIES} (option
     *                            {@code library-packages}); may be empty
     */
    public Sites(List<String> applicationPackages, List<String> extraLibraries) {
        this.applicationPackages = List.copyOf(applicationPackages);
        List<String> all = new ArrayList<>(DEFAULT_LIBRARIES);
        all.addAll(extraLibraries);
        this.libraries = List.copyOf(all);
    }

    /**
     * The leak's site, {@code pkg.Class.method(File.java:123)}: the first application frame of the last use, else of
     * the allocation, else of the channel's creation; without one, the first library frame of either; in stacks of JDK code only, the first JDK
     * frame past the socket plumbing ({@code sun.net.httpserver.ServerImpl$Dispatcher.run(...)}). Null when the
     * leak has no stack (allocation unknown, or sampled out).
     */
    public String site(Leak leak) {
        StackTraceElement frame = siteFrame(leak);
        return frame == null ? null : StackFrames.format(frame);
    }

    /**
     * The frame {@link #site} names, or null: searched in the leak's stacks in {@link Leak#stacks()}' order (last use,
     * allocation, creation, EOF; a socket accepted on a thread of JDK code only, an executor running accept, has its application
     * frame only where it read EOF).
     */
    StackTraceElement siteFrame(Leak leak) {
        List<StackTraceElement[]> stacks = new ArrayList<>(4);
        for (CallSite stack : leak.stacks()) {
            stacks.add(stack.getStackTrace());
        }
        return frameOf(stacks);
    }

    /**
     * {@code pkg.Class.method} of the frame that names the code behind {@code stack}, chosen as {@link #site} chooses
     * it in one stack (the connection churn report's site); null for no stack, or one without frames.
     */
    public String method(Throwable stack) {
        StackTraceElement frame = stack == null ? null
                : frameOf(java.util.Collections.singletonList(stack.getStackTrace()));
        return frame == null ? null : frame.getClassName() + "." + frame.getMethodName();
    }

    private StackTraceElement frameOf(List<StackTraceElement[]> stacks) {
        for (StackTraceElement[] frames : stacks) {
            for (int i = firstNonAgent(frames); i < frames.length; i++) {
                if (isApplication(frames[i].getClassName())) {
                    return frames[i];
                }
            }
        }
        for (StackTraceElement[] frames : stacks) {
            for (int i = firstNonAgent(frames); i < frames.length; i++) {
                if (!isJdk(frames[i].getClassName())) {
                    return frames[i];
                }
            }
        }
        for (StackTraceElement[] frames : stacks) {
            int first = firstNonAgent(frames);
            for (int i = first; i < frames.length; i++) {
                if (!StackFrames.isSocketPlumbing(frames[i].getClassName())) {
                    return frames[i];
                }
            }
            if (first < frames.length) {
                return frames[first];
            }
        }
        return null;
    }

    /**
     * Whether a report shows where {@code leak}'s channel was created: when it has that stack and another thread
     * connected the channel, or the connect's stack holds no application frame (a connect the event loop ran as a
     * task). Not for a channel the same code created and connected: its two stacks name the same code.
     */
    public boolean showsCreation(Leak leak) {
        if (!leak.hasCreation()) {
            return false;
        }
        if (!java.util.Objects.equals(leak.creation().thread(), leak.openThread())) {
            return true;
        }
        for (StackTraceElement frame : leak.allocation().getStackTrace()) {
            if (isApplication(frame.getClassName())) {
                return false;
            }
        }
        return true;
    }

    /** Neither the agent's, nor the JDK's, nor a known library's (unless listed in {@code app-packages}). */
    public boolean isApplication(String className) {
        if (isAgent(className) || isJdk(className)) {
            return false;
        }
        return under(className, applicationPackages) || library(className) == null;
    }

    /** The library prefix a class belongs to (without its trailing dot), or null. */
    String library(String className) {
        if (under(className, applicationPackages)) {
            return null;
        }
        for (String prefix : libraries) {
            if (StackFrames.underPrefix(className, prefix)) {
                return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
            }
        }
        return null;
    }

    static boolean isJdk(String className) {
        return StackFrames.startsWithAny(className, JDK_PREFIXES);
    }

    static boolean isAgent(String className) {
        return StackFrames.startsWithAny(className, AGENT_PREFIXES);
    }

    static int firstNonAgent(StackTraceElement[] frames) {
        int first = 0;
        while (first < frames.length && isAgent(frames[first].getClassName())) {
            first++;
        }
        return first;
    }

    private static boolean under(String className, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (StackFrames.underPrefix(className, prefix)) {
                return true;
            }
        }
        return false;
    }

    /** True when the stack is a real one (not absent, not sampled out). */
    static boolean recorded(CallSite site) {
        return site != null && site != CallSite.NOT_SAMPLED;
    }
}
