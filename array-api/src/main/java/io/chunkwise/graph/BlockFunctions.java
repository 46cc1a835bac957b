package io.chunkwise.graph;

import io.chunkwise.BlockFunction;
import io.chunkwise.InvalidArgumentException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code mapBlocks} functions a running side knows by name: those registered, and classes on its class path
 * that implement {@link BlockFunction} with a public no-argument constructor (named by their binary class name,
 * instantiated once). A function never travels as an object.
 */
public final class BlockFunctions {
    private final Map<String, BlockFunction> byName = new ConcurrentHashMap<>();

    public void register(String name, BlockFunction f) {
        if (name == null || name.isBlank()) throw new InvalidArgumentException("a block function needs a non-empty name");
        if (f == null) throw new InvalidArgumentException("block function '" + name + "' is null");
        if (byName.putIfAbsent(name, f) != null && byName.get(name) != f) {
            throw new InvalidArgumentException("a different block function is registered as '" + name + "' already");
        }
    }

    /** Whether {@code name} resolves here (registered, or a class on the class path). */
    public boolean knows(String name) { return byName.containsKey(name) || loadClass(name) != null; }

    public BlockFunction resolve(String name) {
        BlockFunction f = byName.get(name);
        if (f != null) return f;
        Class<? extends BlockFunction> c = loadClass(name);
        if (c == null) {
            throw new InvalidArgumentException("no block function '" + name + "': register it with "
                    + "Chunkwise.registerBlockFunction(name, f) or name a class implementing BlockFunction on the class path");
        }
        try {
            BlockFunction made = c.getConstructor().newInstance();
            BlockFunction prior = byName.putIfAbsent(name, made);
            return prior != null ? prior : made;
        } catch (ReflectiveOperationException e) {
            throw new InvalidArgumentException("block function class " + name + " cannot be instantiated through a public "
                    + "no-argument constructor: " + e);
        }
    }

    /** The class {@code name} if it implements BlockFunction; checked before it is initialised. */
    private static Class<? extends BlockFunction> loadClass(String name) {
        try {
            Class<?> c = Class.forName(name, false, Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : BlockFunctions.class.getClassLoader());
            return BlockFunction.class.isAssignableFrom(c) ? c.asSubclass(BlockFunction.class) : null;
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
