package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.invoke.MethodHandleInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LambdasTest {
    /** Like the library's serializable functional interfaces: javac then records a description. */
    interface SFn<I, O> extends Serializable {
        O apply(I x) throws Exception;
    }

    interface SJob extends Serializable {
        void run() throws Exception;
    }

    interface SIntFn extends Serializable {
        int applyAsInt(int x);

        default int twice(int x) {
            return applyAsInt(applyAsInt(x));
        }
    }

    static final ClassLoader LOADER = LambdasTest.class.getClassLoader();

    static int square(int x) {
        return x * x;
    }

    static long doubled(long x) {
        return 2 * x;
    }

    static short shortPlus(short s, Integer x) {
        return (short) (s + x);
    }

    /** Its description after a trip through the Codec, as a worker JVM receives it. */
    static Map<String, Object> travelled(Object fn) throws IOException {
        Map<String, Object> d = Lambdas.describe(fn);
        assertNotNull(d, "no description of " + fn);
        return LambdaChild.unflatten((List<?>) LambdaChild.decode(LambdaChild.encode(LambdaChild.flatten(d))));
    }

    @SuppressWarnings("unchecked")
    static <I, O> SFn<I, O> rebuilt(SFn<I, O> fn) throws IOException {
        SFn<I, O> r = Lambdas.rebuild(travelled(fn), SFn.class, LOADER);
        assertNotSame(fn.getClass(), r.getClass());
        return r;
    }

    @Test
    void nonCapturingLambda() throws Exception {
        SFn<Integer, Integer> f = x -> x * x;
        Map<String, Object> d = Lambdas.describe(f);
        assertEquals(Lambdas.KEYS, List.copyOf(d.keySet()));
        d.forEach((k, v) -> {
            if (k.equals(Lambdas.IMPL_METHOD_KIND)) assertInstanceOf(Integer.class, v, k);
            else if (k.equals(Lambdas.CAPTURED_ARGS)) assertInstanceOf(List.class, v, k);
            else assertInstanceOf(String.class, v, k);
        });
        assertEquals("mproc/LambdasTest$SFn", d.get("functionalInterfaceClass"));
        assertEquals("apply", d.get("functionalInterfaceMethodName"));
        assertEquals("(Ljava/lang/Object;)Ljava/lang/Object;", d.get("functionalInterfaceMethodSignature"));
        assertEquals("mproc/LambdasTest", d.get("implClass"));
        assertTrue(((String) d.get("implMethodName")).startsWith("lambda$nonCapturingLambda$"), d.toString());
        assertEquals("(Ljava/lang/Integer;)Ljava/lang/Integer;", d.get("implMethodSignature"));
        assertEquals(MethodHandleInfo.REF_invokeStatic, d.get("implMethodKind"));
        assertEquals("(Ljava/lang/Integer;)Ljava/lang/Integer;", d.get("instantiatedMethodType"));
        assertEquals("mproc/LambdasTest", d.get("capturingClass"));
        assertEquals(List.of(), d.get("capturedArgs"));

        SFn<Integer, Integer> r = rebuilt(f);
        assertEquals(49, r.apply(7));
        assertEquals("lambda mproc.LambdasTest." + d.get("implMethodName"), r.toString());
        assertEquals(r, r);
        assertNotEquals(r, f);
        assertEquals(d, Lambdas.describe(r), "a rebuilt lambda is described as it was");
    }

    @Test
    void capturesAnIntAndAString() throws Exception {
        int n = 3;
        String prefix = "x=";
        SFn<Integer, String> f = x -> prefix + (x * n);
        Map<String, Object> d = Lambdas.describe(f);
        assertEquals(List.of(prefix, n), d.get("capturedArgs"));
        assertEquals("x=12", rebuilt(f).apply(4));
    }

    @Test
    @SuppressWarnings("unchecked")
    void capturedShortsAndFloatsKeepTheirTypes() throws Exception {
        short s = 7;
        float k = 1.5f;
        SFn<Integer, String> f = x -> (s + x) + "/" + (k * x);
        Map<String, Object> d = travelled(f);
        assertEquals(List.of((short) 7, 1.5f), d.get("capturedArgs"), "a short stays a Short, a float a Float");
        SFn<Integer, String> r = Lambdas.rebuild(d, SFn.class, LOADER);
        assertEquals("9/3.0", r.apply(2));
    }

    @Test
    void staticMethodReference() throws Exception {
        SFn<Integer, Integer> f = LambdasTest::square;
        Map<String, Object> d = Lambdas.describe(f);
        assertEquals("square", d.get("implMethodName"));
        assertEquals("(I)I", d.get("implMethodSignature"));
        assertEquals(MethodHandleInfo.REF_invokeStatic, d.get("implMethodKind"));
        SFn<Integer, Integer> r = rebuilt(f);
        assertEquals(81, r.apply(9));
        assertEquals(Integer.class, r.apply(9).getClass(), "result boxed");
        assertEquals("method reference mproc.LambdasTest::square", r.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void argumentsAreAdaptedLeniently() throws Exception {
        SFn<Long, Long> doubled = LambdasTest::doubled;
        SFn<Object, Object> r = Lambdas.rebuild(travelled(doubled), SFn.class, LOADER);
        assertEquals(42L, r.apply(21), "an Integer for a long");
        assertEquals(42L, r.apply((short) 21));
        SFn<Object, Object> sq = Lambdas.rebuild(travelled((SFn<Integer, Integer>) LambdasTest::square), SFn.class, LOADER);
        assertEquals(9, sq.apply(3L), "a Long that fits, for an int");

        ClassCastException e = assertThrows(ClassCastException.class, () -> sq.apply("seven"));
        assertEquals("method reference mproc.LambdasTest::square needs an int as argument 1 but was given a"
                + " java.lang.String (seven)", e.getMessage());
        e = assertThrows(ClassCastException.class, () -> sq.apply(1L << 40));
        assertTrue(e.getMessage().contains("Long 1099511627776, which does not fit"), e.getMessage());
        e = assertThrows(ClassCastException.class, () -> sq.apply(2.5));
        assertTrue(e.getMessage().contains("needs an int as argument 1 but was given a java.lang.Double (2.5)"), e.getMessage());
        e = assertThrows(ClassCastException.class, () -> sq.apply(null));
        assertTrue(e.getMessage().contains("but was given null"), e.getMessage());

        SFn<Integer, Integer> boxed = x -> x + 1;
        SFn<Object, Object> rb = Lambdas.rebuild(travelled(boxed), SFn.class, LOADER);
        assertEquals(6, rb.apply(5L), "a Long that fits, for an Integer");
    }

    @Test
    void primitiveInterfaceAndDefaultMethods() throws Exception {
        SIntFn f = x -> x + 10;
        SIntFn r = Lambdas.rebuild(travelled(f), SIntFn.class, LOADER);
        assertEquals(15, r.applyAsInt(5));
        assertEquals(25, r.twice(5), "a default method runs on the rebuilt lambda");
        SIntFn sq = LambdasTest::square;
        assertEquals(36, Lambdas.rebuild(travelled(sq), SIntFn.class, LOADER).applyAsInt(6));
    }

    @Test
    void unboundInstanceMethodReference() throws Exception {
        SFn<String, Integer> f = String::length;
        Map<String, Object> d = Lambdas.describe(f);
        assertEquals("java/lang/String", d.get("implClass"));
        assertEquals(MethodHandleInfo.REF_invokeVirtual, d.get("implMethodKind"));
        assertEquals(List.of(), d.get("capturedArgs"));
        assertEquals(4, rebuilt(f).apply("abcd"));

        SFn<List<Object>, Integer> size = List::size;
        assertEquals(MethodHandleInfo.REF_invokeInterface, Lambdas.describe(size).get("implMethodKind"));
        assertEquals(3, rebuilt(size).apply(List.of(1, 2, 3)));
    }

    @Test
    void boundInstanceMethodReference() throws Exception {
        SFn<String, String> f = "ab"::concat;
        Map<String, Object> d = Lambdas.describe(f);
        assertEquals(List.of("ab"), d.get("capturedArgs"));
        assertEquals("abcd", rebuilt(f).apply("cd"));
    }

    @Test
    void constructorReferences() throws Exception {
        SFn<Integer, List<Object>> list = ArrayList::new;
        Map<String, Object> d = Lambdas.describe(list);
        assertEquals(MethodHandleInfo.REF_newInvokeSpecial, d.get("implMethodKind"));
        assertEquals("<init>", d.get("implMethodName"));
        List<Object> made = rebuilt(list).apply(10);
        assertEquals(ArrayList.class, made.getClass());
        assertTrue(made.isEmpty());

        SFn<String, StringBuilder> sb = StringBuilder::new;
        assertEquals("hi", rebuilt(sb).apply("hi").toString());
        assertEquals("method reference java.lang.StringBuilder::new", rebuilt(sb).toString());

        SFn<Integer, int[]> array = int[]::new; // javac writes a lambda body for array constructors
        assertEquals(5, rebuilt(array).apply(5).length);
    }

    @Test
    void exceptionsArriveAsThrown() throws Exception {
        SFn<Integer, Integer> f = x -> {
            if (x > 0) throw new IOException("no " + x);
            return x;
        };
        IOException e = assertThrows(IOException.class, () -> rebuilt(f).apply(3));
        assertEquals("no 3", e.getMessage());

        SJob job = () -> {
            throw new TimeoutException("late");
        };
        SJob r = Lambdas.rebuild(travelled(job), SJob.class, LOADER);
        assertEquals("late", assertThrows(TimeoutException.class, r::run).getMessage());

        SFn<Integer, Integer> unchecked = x -> 10 / x;
        assertThrows(ArithmeticException.class, () -> rebuilt(unchecked).apply(0));
    }

    @Test
    void refusesACapturedThread() {
        int n = 2;
        Thread t = Thread.currentThread();
        SFn<Integer, String> f = x -> n + t.getName() + x;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lambdas.describe(f));
        String m = e.getMessage();
        assertTrue(m.startsWith("the lambda in mproc.LambdasTest.lambda$refusesACapturedThread$"), m);
        assertTrue(m.contains(" captures a java.lang.Thread (capture 1), which cannot travel to a worker JVM: capture"
                + " values that travel as messages (numbers, strings"), m);
        assertTrue(m.endsWith("or compute it inside the lambda"), m);

        SFn<String, Boolean> bound = t::equals;
        m = assertThrows(IllegalArgumentException.class, () -> Lambdas.describe(bound)).getMessage();
        assertTrue(m.startsWith("the method reference java.lang.Object::equals captures a java.lang.Thread (capture 0)"), m);
    }

    private final int offset = 5;

    @Test
    void refusesTheEnclosingInstance() {
        SFn<Integer, Integer> f = x -> x + offset;
        String m = assertThrows(IllegalArgumentException.class, () -> Lambdas.describe(f)).getMessage();
        assertTrue(m.contains(" captures the enclosing instance (this, a mproc.LambdasTest, capture 0)"), m);
        assertTrue(m.contains("Make the enclosing method static"), m);
        assertTrue(m.contains("capture only those values"), m);
    }

    @Test
    void refusesALambdaWhoseTypeIsNotSerializable() {
        Function<Integer, Integer> f = x -> x + 1;
        String m = assertThrows(IllegalArgumentException.class, () -> Lambdas.describe(f)).getMessage();
        assertTrue(m.contains("target type java.util.function.Function, which is not java.io.Serializable"), m);
        assertTrue(m.contains("must be one of mproc's serializable functional interfaces"), m);
        assertTrue(m.contains("cast"), m);
    }

    static final class Square implements SFn<Integer, Integer> {
        @Override
        public Integer apply(Integer x) {
            return x * x;
        }
    }

    @Test
    void anObjectOfAClassIsNotDescribed() {
        assertNull(Lambdas.describe(new Square()));
        assertNull(Lambdas.describe(new SJob() {
            @Override
            public void run() {}
        }));
    }

    @Test
    void rebuildChecksTheInterface() throws Exception {
        Map<String, Object> d = travelled((SFn<Integer, Integer>) x -> x);
        String m = assertThrows(IllegalArgumentException.class, () -> Lambdas.rebuild(d, SJob.class, LOADER)).getMessage();
        assertTrue(m.contains("was made for a mproc.LambdasTest$SFn, not a mproc.LambdasTest$SJob"), m);

        Map<String, Object> missing = travelled((SFn<Integer, Integer>) x -> x);
        missing.remove("implClass");
        m = assertThrows(IllegalArgumentException.class, () -> Lambdas.rebuild(missing, SFn.class, LOADER)).getMessage();
        assertTrue(m.startsWith("not a lambda description: implClass is missing"), m);

        Map<String, Object> gone = travelled((SFn<Integer, Integer>) x -> x);
        gone.put("implClass", "mproc/NoSuchClass");
        m = assertThrows(IllegalArgumentException.class, () -> Lambdas.rebuild(gone, SFn.class, LOADER)).getMessage();
        assertTrue(m.contains("class mproc.NoSuchClass is not found"), m);
        assertTrue(m.contains("same classes on its class path"), m);
    }

    /** A lambda body as older javac compiled it: a private instance method called with invokespecial. */
    static final class Counter {
        private final int base;

        Counter(int base) {
            this.base = base;
        }

        private int plus(int x) {
            return base + x;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void privateInstanceMethods() throws Exception {
        Map<String, Object> d = travelled((SFn<Integer, Integer>) x -> x);
        d.put("implClass", "mproc/LambdasTest$Counter");
        d.put("implMethodName", "plus");
        d.put("implMethodSignature", "(I)I");
        d.put("capturedArgs", List.of(new Counter(10))); // in one JVM; describe would refuse to send it
        for (int kind : new int[] {MethodHandleInfo.REF_invokeSpecial, MethodHandleInfo.REF_invokeVirtual}) {
            d.put("implMethodKind", kind);
            SFn<Integer, Integer> r = Lambdas.rebuild(d, SFn.class, LOADER);
            assertEquals(15, r.apply(5));
        }
        d.put("implMethodKind", MethodHandleInfo.REF_getField);
        String m = assertThrows(IllegalArgumentException.class, () -> Lambdas.rebuild(d, SFn.class, LOADER)).getMessage();
        assertTrue(m.contains("getField"), m);

        d.put("implMethodKind", MethodHandleInfo.REF_invokeVirtual);
        d.put("capturedArgs", List.of("not a counter"));
        m = assertThrows(ClassCastException.class, () -> Lambdas.rebuild(d, SFn.class, LOADER)).getMessage();
        assertTrue(m.contains("needs a mproc.LambdasTest$Counter as capture 0 but was given a java.lang.String"), m);
    }

    /** Defines {@link LambdaSource} itself: another class loader, another unnamed module, like JShell's. */
    static final class IsolatingLoader extends ClassLoader {
        IsolatingLoader() {
            super("isolated", LOADER);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(LambdaSource.class.getName())) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c != null) return c;
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    byte[] b = in.readAllBytes();
                    return defineClass(name, b, 0, b.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }

    @Test
    void implClassFromAnotherLoader() throws Exception {
        ClassLoader isolated = new IsolatingLoader();
        Class<?> source = isolated.loadClass(LambdaSource.class.getName());
        assertNotSame(LambdaSource.class, source);
        assertNotSame(LambdaSource.class.getModule(), source.getModule());
        Object times = source.getMethod("times", int.class).invoke(null, 3);
        Map<String, Object> d = travelled(times);
        assertEquals("mproc/LambdaSource", d.get("implClass"));
        assertEquals(15, Lambdas.rebuild(d, LambdaChild.Fn.class, isolated).apply(5));
        assertEquals("isolated!", Lambdas.rebuild(travelled(source.getMethod("loaderName").invoke(null)),
                LambdaChild.Fn.class, isolated).apply("!"), "the body runs in the class the given loader loads");
        assertEquals("app!", Lambdas.rebuild(travelled(source.getMethod("loaderName").invoke(null)),
                LambdaChild.Fn.class, LOADER).apply("!"));
        Map<String, Object> ref = travelled(source.getMethod("privateReference").invoke(null));
        assertEquals("secret", ref.get("implMethodName"));
        assertEquals("secret 1", Lambdas.rebuild(ref, LambdaChild.Fn.class, isolated).apply(1));
    }

    @Test
    void rebuiltInAnotherJvm(@TempDir Path tmp) throws Exception {
        int n = 3;
        String prefix = "n*x=";
        List<Object> cases = List.of(
                List.of(7, LambdaChild.flatten(Lambdas.describe((SFn<Integer, Integer>) x -> x * x))),
                List.of(4, LambdaChild.flatten(Lambdas.describe((SFn<Integer, String>) x -> prefix + n * x))),
                List.of(9, LambdaChild.flatten(Lambdas.describe((SFn<Integer, Integer>) LambdasTest::square))),
                List.of("abcd", LambdaChild.flatten(Lambdas.describe((SFn<String, Integer>) String::length))),
                List.of(-1, LambdaChild.flatten(Lambdas.describe((SFn<Integer, Integer>) x -> {
                    if (x < 0) throw new IOException("negative " + x);
                    return x;
                }))));
        String java = WorkerJvms.java();
        Path err = tmp.resolve("stderr");
        Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), LambdaChild.class.getName())
                .redirectError(err.toFile()).start();
        String out;
        try {
            CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(LambdaChild.encode(cases));
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM still running");
            out = new String(stdout.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly().waitFor();
        }
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), "child exit code; stderr:\n" + stderr);
        List<String> lines = out.lines().toList();
        assertEquals(List.of("ok java.lang.Integer 49", "ok java.lang.String n*x=12", "ok java.lang.Integer 81",
                "ok java.lang.Integer 4", "threw java.io.IOException: negative -1"), lines.subList(0, 5), stderr);
        assertEquals(6, lines.size(), out);
        long childPid = Long.parseLong(lines.get(5).substring("pid ".length()));
        assertNotEquals(ProcessHandle.current().pid(), childPid, "ran in another JVM");
        assertEquals(p.pid(), childPid);
    }

    private static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
