package dev.closewait.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.closewait.report.Leaks.callSite;
import static dev.closewait.report.Leaks.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackFramesTest {

    private static final StackTraceElement APP = frame("com.acme.App", "main", "App.java", 12);

    @Test
    void dropsTheAgentAndJdkInternalsAtTheTopButKeepsPublicJdkFrames() {
        Throwable captured = callSite(
                frame("dev.closewait.bootstrap.SocketHooks", "opened", "SocketHooks.java", 1),
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 2),
                frame("dev.closewait.jdk.JdkSocketEvents", "opened", "JdkSocketEvents.java", 3),
                frame("dev.closewait.instrument.EventAdvice", "exit", "EventAdvice.java", 4),
                frame("dev.closewait.agent.AgentInstaller", "x", "AgentInstaller.java", 5),
                frame("dev.closewait.report.JsonLines", "x", "JsonLines.java", 6),
                frame("dev.closewait.shaded.bytebuddy.Foo", "x", "Foo.java", 7),
                frame("sun.nio.ch.NioSocketImpl", "connect", "NioSocketImpl.java", 8),
                frame("jdk.internal.misc.Unsafe", "x", "Unsafe.java", 9),
                frame("com.sun.net.ssl.internal.Foo", "x", "Foo.java", 10),
                frame("java.net.Socket", "connect", "Socket.java", 633),
                APP);

        assertEquals(List.of("java.net.Socket.connect(Socket.java:633)", "com.acme.App.main(App.java:12)"),
                StackFrames.of(captured, 40));
    }

    @Test
    void keepsTheDemoAndEndToEndTestFramesBecauseTheyAreApplicationCode() {
        Throwable demo = callSite(
                frame("dev.closewait.demo.LeakyEchoServer", "handle", "LeakyEchoServer.java", 70),
                frame("dev.closewait.demo.DemoMain", "main", "DemoMain.java", 20));
        Throwable e2e = callSite(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 2),
                frame("dev.closewait.e2e.Client", "connect", "Client.java", 5));

        assertEquals(List.of("dev.closewait.demo.LeakyEchoServer.handle(LeakyEchoServer.java:70)",
                "dev.closewait.demo.DemoMain.main(DemoMain.java:20)"), StackFrames.of(demo, 40));
        assertEquals(List.of("dev.closewait.e2e.Client.connect(Client.java:5)"), StackFrames.of(e2e, 40));
    }

    @Test
    void keepsClassesThatOnlyShareTheStartOfAPackageName() {
        Throwable captured = callSite(
                frame("dev.closewait.corex.Thing", "run", "Thing.java", 1),
                frame("sunrise.Alarm", "ring", "Alarm.java", 2),
                APP);

        assertEquals(3, StackFrames.of(captured, 40).size());
        assertEquals(List.of("com.sunshine.Day.start(Day.java:3)"),
                StackFrames.of(callSite(frame("com.sunshine.Day", "start", "Day.java", 3)), 40));
    }

    @Test
    void trimsOnlyAtTheTop() {
        Throwable captured = callSite(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 2),
                APP,
                frame("sun.reflect.Foo", "invoke", "Foo.java", 3),
                frame("dev.closewait.core.Other", "call", "Other.java", 4));

        assertEquals(List.of("com.acme.App.main(App.java:12)", "sun.reflect.Foo.invoke(Foo.java:3)",
                "dev.closewait.core.Other.call(Other.java:4)"), StackFrames.of(captured, 40));
    }

    @Test
    void showsTheJdkPlumbingButNeverTheAgentWhenTheStackIsAllPlumbing() {
        Throwable captured = callSite(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 2),
                frame("sun.nio.ch.Net", "poll", "Net.java", 3));

        assertEquals(List.of("sun.nio.ch.Net.poll(Net.java:3)"), StackFrames.of(captured, 40));
    }

    @Test
    void startsAtTheLastJdkFrameBeforeApplicationCode() {
        Throwable captured = callSite(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 2),
                frame("java.net.ServerSocket", "implAccept", "ServerSocket.java", 675),
                frame("java.net.ServerSocket", "platformImplAccept", "ServerSocket.java", 641),
                frame("java.net.ServerSocket", "accept", "ServerSocket.java", 532),
                frame("com.acme.Server", "run", "Server.java", 40),
                frame("java.lang.Thread", "run", "Thread.java", 840));

        assertEquals(List.of("java.net.ServerSocket.accept(ServerSocket.java:532)", "com.acme.Server.run(Server.java:40)",
                "java.lang.Thread.run(Thread.java:840)"), StackFrames.of(captured, 40));
    }

    @Test
    void filtersMatchWholeNamePartsOfApplicationFramesOnly() {
        Throwable captured = callSite(
                frame("java.net.ServerSocket", "accept", "ServerSocket.java", 532),
                frame("com.acmecorp.App", "run", "App.java", 9),
                frame("com.acme.db.Pool$Lease", "open", "Pool.java", 40),
                frame("java.lang.Thread", "run", "Thread.java", 840));

        assertTrue(StackFrames.mentions(captured, List.of("com.acme")));
        assertTrue(StackFrames.mentions(captured, List.of("com.acme.db.Pool")));
        assertTrue(StackFrames.mentions(captured, List.of("com.acmecorp.")));
        assertFalse(StackFrames.mentions(captured, List.of("com.acme.d")));
        assertFalse(StackFrames.mentions(captured, List.of("java.")), "JDK frames are in every stack");
        assertFalse(StackFrames.mentions(captured, List.of("java.lang.Thread")));
    }

    @Test
    void filtersIgnoreTheAgentsOwnFrames() {
        Throwable captured = callSite(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 2),
                frame("com.acme.Server", "run", "Server.java", 40));

        assertFalse(StackFrames.mentions(captured, List.of("dev.closewait.")));
        assertTrue(StackFrames.mentions(captured, List.of("com.acme.")));
    }

    @Test
    void keepsAtMostDepthFramesAfterTrimming() {
        Throwable captured = callSite(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 2),
                frame("a.A", "one", "A.java", 1),
                frame("a.A", "two", "A.java", 2),
                frame("a.A", "three", "A.java", 3),
                frame("a.A", "four", "A.java", 4));

        assertEquals(List.of("a.A.one(A.java:1)", "a.A.two(A.java:2)"), StackFrames.of(captured, 2));
        assertEquals(List.of("a.A.one(A.java:1)"), StackFrames.of(captured, 1));
        assertEquals(4, StackFrames.of(captured, 1024).size());
    }

    @Test
    void showsNothingForAMissingStack() {
        assertEquals(List.of(), StackFrames.of(null, 40));
        assertEquals(List.of(), StackFrames.of(callSite(), 40));
    }

    @Test
    void formatsNativeUnknownAndLinelessFrames() {
        assertEquals("java.net.SocketInputStream.socketRead0(Native Method)",
                StackFrames.format(frame("java.net.SocketInputStream", "socketRead0", "SocketInputStream.java", -2)));
        assertEquals("com.acme.Gen.call(Unknown Source)", StackFrames.format(frame("com.acme.Gen", "call", null, 7)));
        assertEquals("com.acme.App.main(App.java)", StackFrames.format(frame("com.acme.App", "main", "App.java", -1)));
        assertEquals("com.acme.App.main(App.java:0)", StackFrames.format(frame("com.acme.App", "main", "App.java", 0)));
    }

    @Test
    void formatsWithoutModuleOrClassLoaderNames() {
        StackTraceElement inModule = new StackTraceElement("app", "java.base", "17.0.15", "java.net.Socket", "connect",
                "Socket.java", 633);

        assertEquals("java.net.Socket.connect(Socket.java:633)", StackFrames.format(inModule));
    }

    @Test
    void findsAPrefixAnywhereInTheStack() {
        Throwable captured = callSite(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 2),
                frame("java.net.Socket", "connect", "Socket.java", 633),
                frame("com.acme.db.Pool", "borrow", "Pool.java", 40),
                APP);

        assertTrue(StackFrames.mentions(captured, List.of("org.example.", "com.acme.db.")));
        assertTrue(StackFrames.mentions(captured, List.of("com.acme.App")));
        assertFalse(StackFrames.mentions(captured, List.of("com.acme.web.", "org.")));
        assertFalse(StackFrames.mentions(captured, List.of()));
        assertFalse(StackFrames.mentions(null, List.of("com.")));
    }

    @Test
    void foldsLongRunsOfFrameworkFramesInTheMiddleOfTheTextFormOnly() {
        java.util.List<StackTraceElement> frames = new java.util.ArrayList<>();
        frames.add(frame("java.net.Socket", "connect", "Socket.java", 633));
        frames.add(frame("com.acme.Client", "call", "Client.java", 5));
        for (int i = 0; i < 30; i++) {
            frames.add(frame("org.springframework.web.filter.Filter" + i, "doFilter", "F.java", i));
        }
        frames.add(frame("jdk.internal.reflect.GeneratedMethodAccessor1", "invoke", null, -1));
        frames.add(frame("com.acme.Controller", "get", "Controller.java", 9));
        frames.add(frame("org.apache.catalina.core.StandardWrapperValve", "invoke", "S.java", 1));
        frames.add(frame("org.apache.catalina.core.StandardContextValve", "invoke", "S.java", 2));
        Throwable captured = callSite(frames.toArray(new StackTraceElement[0]));

        assertEquals(List.of(
                "at java.net.Socket.connect(Socket.java:633)",
                "at com.acme.Client.call(Client.java:5)",
                "... 31 frames of org.springframework ...",
                "at com.acme.Controller.get(Controller.java:9)",
                "at org.apache.catalina.core.StandardWrapperValve.invoke(S.java:1)",
                "at org.apache.catalina.core.StandardContextValve.invoke(S.java:2)"),
                StackFrames.textLines(captured, 40, Sites.DEFAULT), "runs under 4 frames stay");
        assertEquals(36, StackFrames.of(captured, 40).size(), "the JSON form keeps every frame");
    }
}
