package dev.closewait.bench;

import java.util.List;

/** A way to start the measured JVM: without an agent, with an agent that does nothing, or with closewait. */
record Mode(String name, List<String> jvmArguments) {
}
