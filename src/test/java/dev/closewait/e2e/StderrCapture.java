package dev.closewait.e2e;

/** Holds a finished child's standard error for further checks. */
public final class StderrCapture {
    String stderr = "";
}
