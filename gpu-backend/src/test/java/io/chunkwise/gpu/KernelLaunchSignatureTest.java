package io.chunkwise.gpu;

import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 14, 5(b): every kernel launch of the backend's sources passes what the kernel's PTX declares. A launch with
 * the wrong number, order or kind of arguments is silent memory corruption on a GPU, and no test without one would
 * see it; here javac attributes the sources ({@code src/main/java/io/chunkwise/gpu}), and for every call of
 * {@code Kernels.launch(name, grid, args...)} the set of kernel names the name expression can give (string
 * literals, concatenation, conditionals, local variables, helper methods of one return, and enum accessors such as
 * {@code op.name()} or {@code t.numpyName()} evaluated on every constant) is matched against the kernels, and the
 * argument list (each argument's Java type: a device pointer, a long, a double) against the kernel's parameters.
 * The kernels come from the jar's PTX ({@code .entry} and {@code .param} lists) where nvcc built it, else from the
 * {@code .cu} sources expanded by the C preprocessor (g++ -E), so CI without nvcc checks too; where both exist they
 * must agree. Also: every kernel is launched somewhere (or listed as unused), and its {@code __launch_bounds__}
 * ({@code .maxntid}) is {@link Kernels#BLOCK}.
 */
class KernelLaunchSignatureTest {
    private static final Path SOURCES = Path.of("src/main/java/io/chunkwise/gpu");
    /** Built but not launched by the backend yet (its float accumulation does not match the reference's float64 partial). */
    private static final Set<String> UNUSED = Set.of("chunkwise_sum_float32");

    private static final Path CUDA_SOURCES = Path.of("../cuda-kernels/src/main/cuda");
    private static final Path CUDA_HEADERS = Path.of("../cuda-kernels/src/main/resources/io/chunkwise/cuda");
    private static final Path CUDA_GENERATED = Path.of("../cuda-kernels/target/generated-cuda");

    /** A kernel's parameters ("b64" a pointer or 64-bit integer, "b32", "f64", "f32") and its block size bound. */
    record Signature(List<String> params, int maxThreads) {}

    private static Map<String, Signature> fromPtx;     // null where the jar has no PTX
    private static String noPtx;                        // why not, or null
    private static Map<String, Signature> fromSources; // null where g++ or the sources are missing
    private static String noSources;

    @BeforeAll
    static void readSignatures() throws Exception {
        KernelBuild build = KernelBuild.load();
        noPtx = build.problem();
        if (noPtx == null) fromPtx = ptxSignatures(build);
        noSources = sourcesProblem();
        if (noSources == null) fromSources = sourceSignatures();
    }

    /** The kernels' signatures from the PTX where the jar has it, else from the preprocessed .cu sources; null if neither. */
    private static Map<String, Signature> signatures() {
        assumeTrue(fromPtx != null || fromSources != null, () -> "no kernel signatures to check against: " + noPtx + "; " + noSources);
        return fromPtx != null ? fromPtx : fromSources;
    }

    private static Map<String, Signature> ptxSignatures(KernelBuild build) {
        Map<String, Signature> out = new TreeMap<>();
        Pattern entry = Pattern.compile("^\\.visible \\.entry (\\w+)\\(\\s*(.*?)\\s*\\)\\s*(\\.maxntid (\\d+), 1, 1)?",
                Pattern.MULTILINE | Pattern.DOTALL);
        Pattern param = Pattern.compile("\\.param \\.(\\w+) \\w+");
        for (String module : build.modules()) {
            Matcher m = entry.matcher(Kernels.readPtx(module));
            while (m.find()) {
                List<String> params = new ArrayList<>();
                Matcher p = param.matcher(m.group(2));
                while (p.find()) params.add(ptxType(p.group(1)));
                out.put(m.group(1), new Signature(params, m.group(4) == null ? -1 : Integer.parseInt(m.group(4))));
            }
        }
        assertFalse(out.isEmpty(), "no .entry in the PTX");
        return out;
    }

    private static String ptxType(String t) {
        return switch (t) {
            case "u64", "s64", "b64" -> "b64";
            case "u32", "s32", "b32" -> "b32";
            default -> t;
        };
    }

    private static String sourcesProblem() {
        if (!Files.isDirectory(CUDA_SOURCES)) return CUDA_SOURCES + " not found";
        if (!Files.exists(CUDA_GENERATED.resolve("chunkwise_op_table.cuh"))) return "the op header of cuda-kernels was not generated";
        if (onPath("g++") == null) return "g++ not found on PATH (it preprocesses the .cu sources)";
        return null;
    }

    /**
     * The kernels the .cu sources declare, expanded by the C preprocessor (g++ -E: no nvcc needed): every
     * {@code extern "C" __global__} function with its parameter types and {@code __launch_bounds__}.
     */
    private static Map<String, Signature> sourceSignatures() throws Exception {
        Map<String, Signature> out = new TreeMap<>();
        Pattern kernel = Pattern.compile("extern \"C\"\\s+void\\s+CW_BOUNDS\\((\\d+)\\)\\s*(chunkwise_\\w+)\\s*\\(([^)]*)\\)");
        List<Path> files;
        try (Stream<Path> s = Files.list(CUDA_SOURCES)) {
            files = s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
        for (Path cu : files) {
            List<String> cmd = List.of(onPath("g++"), "-E", "-P", "-x", "c++", "-D__global__=",
                    "-D__launch_bounds__(x)=CW_BOUNDS(x)", "-I", CUDA_HEADERS.toString(), "-I", CUDA_GENERATED.toString(), cu.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ":\n" + text);
            Matcher m = kernel.matcher(text);
            while (m.find()) {
                List<String> params = new ArrayList<>();
                for (String decl : m.group(3).split(",")) params.add(cType(decl.trim(), cu + " " + m.group(2)));
                out.put(m.group(2), new Signature(params, Integer.parseInt(m.group(1))));
            }
        }
        assertFalse(out.isEmpty(), "no extern \"C\" kernel in " + files);
        return out;
    }

    /** The executable's path where {@code PATH} has it, else null. */
    private static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path f = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(f)) return f.toString();
        }
        return null;
    }

    /** The PTX parameter type of a C parameter declaration (its name last). */
    private static String cType(String decl, String where) {
        if (decl.contains("*")) return "b64";
        String type = decl.replaceAll("\\s+\\w+$", "").replace("const", "").replace("__restrict__", "").trim().replaceAll("\\s+", " ");
        return switch (type) {
            case "long long", "unsigned long long", "long", "unsigned long" -> "b64";
            case "int", "unsigned", "unsigned int" -> "b32";
            case "double" -> "f64";
            case "float" -> "f32";
            default -> throw new AssertionError(where + ": a parameter of type " + type + " (extend KernelLaunchSignatureTest)");
        };
    }

    /** A launch site: where it is, the kernel names it can launch, the kinds of the arguments it passes. */
    record Launch(String where, Set<String> names, List<String> args) {}

    @Test
    void everyLaunchPassesWhatItsKernelsDeclare() throws IOException {
        Map<String, Signature> entries = signatures();
        List<Launch> launches = launches();
        assertFalse(launches.isEmpty(), "no Kernels.launch call found in " + SOURCES);
        Set<String> launched = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Launch l : launches) {
            Set<String> hit = new TreeSet<>(l.names());
            hit.retainAll(entries.keySet());
            if (hit.isEmpty()) problems.add(l.where() + ": launches none of the kernels (names " + sample(l.names()) + ")");
            for (String k : hit) {
                List<String> declared = entries.get(k).params();
                if (!matches(declared, l.args())) problems.add(l.where() + ": " + k + " declares " + declared + ", the launch passes " + l.args());
            }
            launched.addAll(hit);
        }
        Set<String> never = new TreeSet<>(entries.keySet());
        never.removeAll(launched);
        never.removeAll(UNUSED);
        if (!never.isEmpty()) problems.add("kernels no launch site reaches: " + never);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void kernelsAreBuiltForTheBlockSizeTheBackendLaunches() {
        signatures().forEach((k, sig) -> assertEquals(Kernels.BLOCK, sig.maxThreads(), k + ": __launch_bounds__ (.maxntid)"));
    }

    /** Where both exist, the signatures read from the preprocessed sources are the PTX's (so CI without nvcc checks the same). */
    @Test
    void theSourcesDeclareWhatThePtxHolds() {
        assumeTrue(fromPtx != null, () -> "no PTX: " + noPtx);
        assumeTrue(fromSources != null, () -> "sources not preprocessed: " + noSources);
        assertEquals(fromPtx, fromSources);
    }

    /** Declared parameter types against the launch's argument kinds: a pointer or a long is 64 bits, a double f64. */
    private static boolean matches(List<String> declared, List<String> args) {
        if (declared.size() != args.size()) return false;
        for (int i = 0; i < declared.size(); i++) {
            String want = switch (args.get(i)) {
                case "pointer", "long" -> "b64";
                case "int" -> "b32";
                case "double" -> "f64";
                case "float" -> "f32";
                default -> "?";
            };
            if (!want.equals(declared.get(i))) return false;
        }
        return true;
    }

    private static String sample(Set<String> names) {
        return names.size() <= 6 ? names.toString() : names.stream().limit(6).toList() + " and " + (names.size() - 6) + " more";
    }

    // ---- reading the sources ----

    private static List<Launch> launches() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assumeTrue(javac != null, "no system Java compiler (a JRE, not a JDK)");
        List<Path> files;
        try (Stream<Path> s = Files.list(SOURCES)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
            JavacTask task = (JavacTask) javac.getTask(null, fm, diagnostics,
                    List.of("-proc:none", "-classpath", classPath, "-d", Files.createTempDirectory("launch-check").toString()),
                    null, fm.getJavaFileObjectsFromPaths(files));
            List<CompilationUnitTree> units = new ArrayList<>();
            task.parse().forEach(units::add);
            task.analyze();
            assertTrue(diagnostics.getDiagnostics().stream().noneMatch(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR),
                    "the sources do not compile here: " + diagnostics.getDiagnostics());
            return new Reader(Trees.instance(task), units).read();
        }
    }

    /** Finds the launch calls and evaluates their name expressions to sets of names. */
    private static final class Reader {
        private final Trees trees;
        private final List<CompilationUnitTree> units;
        private final Map<Element, ExpressionTree> initializers = new HashMap<>();
        private final Map<Element, ExpressionTree> singleReturns = new HashMap<>();
        private final Map<Element, TreePath> methodPaths = new HashMap<>();
        private final Map<ExpressionTree, TreePath> paths = new HashMap<>();
        private final List<TreePath> calls = new ArrayList<>();

        Reader(Trees trees, List<CompilationUnitTree> units) {
            this.trees = trees;
            this.units = units;
        }

        List<Launch> read() {
            for (CompilationUnitTree unit : units) {
                new TreePathScanner<Void, Void>() {
                    @Override
                    public Void visitVariable(VariableTree v, Void x) {
                        if (v.getInitializer() != null) initializers.put(trees.getElement(getCurrentPath()), v.getInitializer());
                        return super.visitVariable(v, x);
                    }

                    @Override
                    public Void visitMethod(MethodTree m, Void x) {
                        Element e = trees.getElement(getCurrentPath());
                        methodPaths.put(e, getCurrentPath());
                        if (m.getBody() != null && m.getBody().getStatements().size() == 1
                                && m.getBody().getStatements().get(0) instanceof ReturnTree r && r.getExpression() != null) {
                            singleReturns.put(e, r.getExpression());
                        }
                        return super.visitMethod(m, x);
                    }

                    @Override
                    public Void visitMethodInvocation(MethodInvocationTree call, Void x) {
                        Element e = trees.getElement(getCurrentPath());
                        if (e instanceof ExecutableElement m && m.getSimpleName().contentEquals("launch")
                                && m.getEnclosingElement().getSimpleName().contentEquals("Kernels")) {
                            calls.add(getCurrentPath());
                        }
                        return super.visitMethodInvocation(call, x);
                    }

                    @Override
                    public Void scan(Tree tree, Void x) {
                        if (tree instanceof ExpressionTree ex && getCurrentPath() != null) paths.put(ex, new TreePath(getCurrentPath(), tree));
                        return super.scan(tree, x);
                    }
                }.scan(unit, null);
            }
            List<Launch> out = new ArrayList<>();
            for (TreePath p : calls) {
                MethodInvocationTree call = (MethodInvocationTree) p.getLeaf();
                List<? extends ExpressionTree> a = call.getArguments();
                long line = p.getCompilationUnit().getLineMap().getLineNumber(trees.getSourcePositions().getStartPosition(p.getCompilationUnit(), call));
                String where = Path.of(p.getCompilationUnit().getSourceFile().getName()).getFileName() + ":" + line;
                Set<String> names = strings(a.get(0), Map.of());
                List<String> kinds = new ArrayList<>();
                for (ExpressionTree arg : a.subList(2, a.size())) kinds.add(argKind(arg, where));
                out.add(new Launch(where, names, kinds));
            }
            return out;
        }

        private TypeMirror type(ExpressionTree e) {
            TreePath p = paths.get(e);
            if (p == null) throw new AssertionError("no path to " + e);
            return trees.getTypeMirror(p);
        }

        private Element element(ExpressionTree e) {
            TreePath p = paths.get(e);
            return p == null ? null : trees.getElement(p);
        }

        /** The kind of a launch argument: what the helper it is passed through ({@code ptr}, {@code arg}) takes. */
        private String argKind(ExpressionTree arg, String where) {
            ExpressionTree e = strip(arg);
            if (e instanceof IdentifierTree) { // a local variable: what it was initialised with
                Element v = element(e);
                if (v != null && v.getKind() == ElementKind.LOCAL_VARIABLE && initializers.containsKey(v)) return argKind(initializers.get(v), where);
            }
            if (e instanceof MethodInvocationTree call && call.getArguments().size() == 1) {
                Element m = element(call);
                ExpressionTree inner = strip(call.getArguments().get(0));
                if (m instanceof ExecutableElement ex && ex.getSimpleName().contentEquals("to")
                        && inner instanceof NewArrayTree array && array.getInitializers() != null && array.getInitializers().size() == 1) {
                    return kindOf(type(array.getInitializers().get(0)));   // Pointer.to(new long[]{v})
                }
                if (m instanceof ExecutableElement ex) return kindOf(ex.getParameters().get(0).asType());
            }
            throw new AssertionError(where + ": a launch argument that is not passed through a helper of one parameter: " + arg);
        }

        private static String kindOf(TypeMirror t) {
            if (t.getKind() == TypeKind.LONG) return "long";
            if (t.getKind() == TypeKind.DOUBLE) return "double";
            if (t.getKind() == TypeKind.INT) return "int";
            if (t.getKind() == TypeKind.FLOAT) return "float";
            String s = t.toString();
            if (s.endsWith("DeviceBlock") || s.endsWith("CUdeviceptr")) return "pointer";
            return "unknown " + s;
        }

        private static ExpressionTree strip(ExpressionTree e) {
            while (e instanceof ParenthesizedTree p) e = p.getExpression();
            return e;
        }

        /** Every value a String expression can take, with method parameters bound in {@code env}. */
        private Set<String> strings(ExpressionTree expr, Map<Element, Set<String>> env) {
            ExpressionTree e = strip(expr);
            if (e instanceof LiteralTree l && l.getValue() instanceof String s) return Set.of(s);
            if (e instanceof BinaryTree b && b.getKind() == Tree.Kind.PLUS) {
                Set<String> out = new LinkedHashSet<>();
                for (String x : strings(b.getLeftOperand(), env)) for (String y : strings(b.getRightOperand(), env)) out.add(x + y);
                return out;
            }
            if (e instanceof ConditionalExpressionTree c) {
                Set<String> out = new LinkedHashSet<>(strings(c.getTrueExpression(), env));
                out.addAll(strings(c.getFalseExpression(), env));
                return out;
            }
            if (e instanceof TypeCastTree c) return strings(c.getExpression(), env);
            if (e instanceof IdentifierTree || e instanceof MemberSelectTree) {
                Element v = element(e);
                if (env.containsKey(v)) return env.get(v);
                if (initializers.containsKey(v) && v.getKind() == ElementKind.LOCAL_VARIABLE) return strings(initializers.get(v), env);
                if (v != null && v.getKind() == ElementKind.FIELD && initializers.containsKey(v)) return strings(initializers.get(v), env);
            }
            if (e instanceof MethodInvocationTree call) {
                Element m = element(call);
                ExpressionTree select = strip(call.getMethodSelect());
                // x.toLowerCase(...) / x.toUpperCase(...)
                if (select instanceof MemberSelectTree ms && m != null && m.getEnclosingElement().toString().equals("java.lang.String")) {
                    String name = m.getSimpleName().toString();
                    if (name.equals("toLowerCase") || name.equals("toUpperCase")) {
                        Set<String> out = new LinkedHashSet<>();
                        for (String s : strings(ms.getExpression(), env)) out.add(name.equals("toLowerCase") ? s.toLowerCase(Locale.ROOT) : s.toUpperCase(Locale.ROOT));
                        return out;
                    }
                }
                // an accessor of no arguments on an enum value: its result on every constant
                if (select instanceof MemberSelectTree ms && call.getArguments().isEmpty()) {
                    TypeMirror receiver = type(ms.getExpression());
                    Class<?> enumClass = enumClass(receiver);
                    if (enumClass != null) return onEveryConstant(enumClass, m.getSimpleName().toString());
                }
                // a helper method of the sources that is one return statement: its String parameters bound to the
                // values of their arguments (enum parameters need no binding: their accessors range over the constants)
                if (m != null && singleReturns.containsKey(m)) {
                    Map<Element, Set<String>> inner = new HashMap<>();
                    TreePath method = methodPaths.get(m);
                    List<? extends VariableTree> params = ((MethodTree) method.getLeaf()).getParameters();
                    for (int i = 0; i < params.size(); i++) {
                        ExpressionTree arg = call.getArguments().get(i);
                        if (enumClass(type(arg)) == null) {
                            inner.put(trees.getElement(new TreePath(method, params.get(i))), strings(arg, env));
                        }
                    }
                    return strings(singleReturns.get(m), inner);
                }
            }
            throw new AssertionError("cannot tell which kernel names " + expr + " gives (extend KernelLaunchSignatureTest)");
        }

        private Class<?> enumClass(TypeMirror t) {
            if (t.getKind() != TypeKind.DECLARED) return null;
            try {
                Class<?> c = Class.forName(t.toString(), false, KernelLaunchSignatureTest.class.getClassLoader());
                return c.isEnum() ? c : null;
            } catch (ClassNotFoundException e) {
                return null;
            }
        }

        private static Set<String> onEveryConstant(Class<?> enumClass, String method) {
            Set<String> out = new LinkedHashSet<>();
            try {
                java.lang.reflect.Method m = enumClass.getMethod(method);
                for (Object c : enumClass.getEnumConstants()) out.add(String.valueOf(m.invoke(c)));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(enumClass.getSimpleName() + "." + method + "(): " + e);
            }
            return out;
        }
    }
}
