package io.chunkwise.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Warnings about how a program is set up (a JVM flag or an artifact it lacks, so that something runs much slower or
 * not at all), each given once per JVM and naming what to add. They go through SLF4J when a logging provider is
 * bound, and otherwise as one line on standard error: SLF4J without a provider drops every message and says only
 * that it found none. A program that binds {@code slf4j-nop} on purpose gets no line.
 */
public final class SetupWarnings {
    private static final Set<String> GIVEN = ConcurrentHashMap.newKeySet();
    private static volatile Boolean logging;

    private SetupWarnings() {}

    /**
     * Gives {@code message} as a warning of {@code log}, or on standard error when SLF4J has no provider, unless a
     * warning under {@code key} was given before in this JVM.
     *
     * @param key what the warning is about (one warning per key and JVM)
     * @param log the logger of the class that found the problem
     * @param message the whole warning: what is wrong, what it costs, and what to add
     * @return whether the warning was given now (false when it was given before)
     */
    public static boolean warnOnce(String key, Logger log, String message) {
        if (!GIVEN.add(key)) return false;
        if (loggingBound()) {
            log.warn(message);
        } else {
            System.err.println("WARNING: " + message);
        }
        return true;
    }

    /** Whether SLF4J has a provider: anything but its no-operation fallback, or a provider chosen on purpose. */
    static boolean loggingBound() {
        Boolean b = logging;
        if (b == null) {
            b = !(LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory)
                    || System.getProperty("slf4j.provider") != null
                    || ServiceLoader.load(SLF4JServiceProvider.class, LoggerFactory.class.getClassLoader()).findFirst().isPresent();
            logging = b;
        }
        return b;
    }
}
