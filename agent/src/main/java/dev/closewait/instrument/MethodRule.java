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
        return types -> {
            StringBuilder actual = new StringBuilder();
            for (Type type : types) {
                actual.append(type.getDescriptor());
            }
            return actual.toString().equals(descriptors);
        };
    }

    static Predicate<Type[]> count(int count) {
        return types -> types.length == count;
    }

    /** Argument {@code index} exists and has this descriptor. */
    static Predicate<Type[]> at(int index, String descriptor) {
        return types -> types.length > index && types[index].getDescriptor().equals(descriptor);
    }
}
