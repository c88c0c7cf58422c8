package dev.closewait.instrument;

import net.bytebuddy.jar.asm.Type;

import java.util.List;
import java.util.function.Predicate;

/** Which methods of a JDK class get which exit hooks: a name and a test on the argument types. */
record MethodRule(String name, Predicate<Type[]> arguments, List<ExitHook> hooks) {

    static final String CONSTRUCTOR = "<init>";

    static MethodRule rule(String name, Predicate<Type[]> arguments, ExitHook... hooks) {
        return new MethodRule(name, arguments, List.of(hooks));
    }

    boolean matches(String methodName, Type[] argumentTypes) {
        return name.equals(methodName) && arguments.test(argumentTypes);
    }

    /** Exactly these argument types, as descriptors: {@code args("[BII")} is {@code (byte[], int, int)}. */
    static Predicate<Type[]> args(String descriptors) {
        return new Arguments(-1, descriptors);
    }

    static Predicate<Type[]> count(int count) {
        return new Arguments(count, null);
    }

    /** Argument {@code index} exists and has this descriptor. */
    static Predicate<Type[]> at(int index, String descriptor) {
        return new Arguments(index, descriptor);
    }

    /** Every one of {@code tests} holds (not {@code Predicate.and}, whose result is a lambda: see below). */
    @SafeVarargs
    static Predicate<Type[]> all(Predicate<Type[]>... tests) {
        return new Predicate<>() {
            @Override
            public boolean test(Type[] types) {
                for (Predicate<Type[]> test : tests) {
                    if (!test.test(types)) {
                        return false;
                    }
                }
                return true;
            }
        };
    }

    /**
     * The three tests above in one class rather than three lambdas, which the rules' first use, during the agent's
     * start, would link by spinning classes and method handles (docs/performance.md, "Start-up CPU"). An index of -1
     * with descriptors: exactly those; a count without: that many; else argument {@code index} has {@code descriptor}.
     */
    private static final class Arguments implements Predicate<Type[]> {
        private final int index;
        private final String descriptor;

        Arguments(int index, String descriptor) {
            this.index = index;
            this.descriptor = descriptor;
        }

        @Override
        public boolean test(Type[] types) {
            if (descriptor == null) {
                return types.length == index;
            }
            if (index >= 0) {
                return types.length > index && types[index].getDescriptor().equals(descriptor);
            }
            StringBuilder actual = new StringBuilder();
            for (Type type : types) {
                actual.append(type.getDescriptor());
            }
            return actual.toString().equals(descriptor);
        }
    }
}
