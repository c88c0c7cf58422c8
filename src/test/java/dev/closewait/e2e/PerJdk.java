package dev.closewait.e2e;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/** One dynamic test per JDK under test. */
public final class PerJdk {

    public interface JdkTest {
        void run(Jdk jdk) throws Throwable;
    }

    private PerJdk() {
    }

    public static Stream<DynamicTest> each(JdkTest test) {
        return on(Jdks.all(), test);
    }

    public static Stream<DynamicTest> on(List<Jdk> jdks, JdkTest test) {
        Function<Jdk, Executable> body = jdk -> () -> test.run(jdk);
        return jdks.stream().map(jdk -> DynamicTest.dynamicTest(jdk.toString(), body.apply(jdk)));
    }
}
