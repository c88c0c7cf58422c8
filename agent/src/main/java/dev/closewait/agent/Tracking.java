package dev.closewait.agent;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.ChurnDetector;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.Clock;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import dev.closewait.jdk.JdkSocketEvents;

/**
 * What the hooks report to, built on {@code closewait-start} by {@link AgentInstaller#track}: the tracker with its
 * listener and churn counter, and what they share with the reporting side.
 */
record Tracking(AgentErrors errors, ClassLoaderCandidates loaders, OwnPorts ownPorts, Clock clock,
                SocketTracker tracker, JdkSocketEvents events, ChurnDetector churn) {
}
