package mproc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Lambdas and method references that run in another JVM, sent as a description, never as a Java object
 * stream. A lambda whose target type extends {@link java.io.Serializable} is compiled so that it can say
 * what it is: its private {@code writeReplace()} returns a {@link SerializedLambda}, plain metadata naming
 * the method that holds its body and the values it captured. {@link #describe} copies that metadata into a
 * map of strings, an integer and a list of captured values (each checked by {@link Codec#check}), and
 * {@link #rebuild} finds the same method in a JVM that has the same classes and binds the same values,
 * through method handles. Nothing here reads or writes an object stream, and neither
 * {@code SerializedLambda.readResolve} nor a class's {@code $deserializeLambda$} is ever called.
 *
 * <p>Class names in a description are in the JVM's internal form ({@code mproc/Lessons},
 * {@code java/lang/String}), signatures are method descriptors ({@code (I)I}), exactly as
 * {@link SerializedLambda} reports them; messages show binary names ({@code mproc.Lessons}).
 */
final class Lambdas {
    /** The keys of a description, in this order. All values are Strings but these two. */
    static final String FUNCTIONAL_INTERFACE_CLASS = "functionalInterfaceClass",
            FUNCTIONAL_INTERFACE_METHOD_NAME = "functionalInterfaceMethodName",
            FUNCTIONAL_INTERFACE_METHOD_SIGNATURE = "functionalInterfaceMethodSignature",
            IMPL_CLASS = "implClass", IMPL_METHOD_NAME = "implMethodName",
            IMPL_METHOD_SIGNATURE = "implMethodSignature",
            /** an Integer: one of {@link MethodHandleInfo}'s {@code REF_} kinds */
            IMPL_METHOD_KIND = "implMethodKind",
            INSTANTIATED_METHOD_TYPE = "instantiatedMethodType", CAPTURING_CLASS = "capturingClass",
            /** a {@code List<Object>} of values {@link Codec} can send */
            CAPTURED_ARGS = "capturedArgs";
    static final List<String> KEYS = List.of(FUNCTIONAL_INTERFACE_CLASS, FUNCTIONAL_INTERFACE_METHOD_NAME,
            FUNCTIONAL_INTERFACE_METHOD_SIGNATURE, IMPL_CLASS, IMPL_METHOD_NAME, IMPL_METHOD_SIGNATURE,
            IMPL_METHOD_KIND, INSTANTIATED_METHOD_TYPE, CAPTURING_CLASS, CAPTURED_ARGS);

    private static final String TRAVELS = "capture values that travel as messages (numbers, strings, records,"
            + " enums, arrays, lists, sets and maps of these) or IPC objects declared with their own type (a"
            + " Connection, Queue, Lock...)";

    private Lambdas() {}

    /**
     * The description of a serializable lambda or method reference: a new map with the {@link #KEYS}, whose
     * values are Strings, an Integer ({@code implMethodKind}) and a {@code List<Object>} ({@code capturedArgs}).
     * Null if {@code fn} is not a lambda (an instance of an ordinary class, which is sent by its class name).
     * A function {@link #rebuild} made is described again as it was.
     *
     * @throws IllegalArgumentException if {@code fn} is a lambda whose target type is not serializable, or
     *         one that captured a value that cannot travel to a worker JVM (the message names which)
     */
    static Map<String, Object> describe(Object fn) {
        Objects.requireNonNull(fn, "fn");
        Class<?> c = fn.getClass();
        if (Proxy.isProxyClass(c) && Proxy.getInvocationHandler(fn) instanceof Rebuilt r) return copy(r.description);
        if (!isLambdaClass(c)) {
            if (c.isHidden() || MethodHandleProxies.isWrapperInstance(fn)) {
                throw new IllegalArgumentException("a " + c.getName() + " is made at run time (a hidden class or a"
                        + " method handle wrapper), so no other JVM can load it by name: pass a lambda, a method"
                        + " reference or an instance of an ordinary class");
            }
            return null;
        }
        SerializedLambda s = serializedForm(fn, c);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put(FUNCTIONAL_INTERFACE_CLASS, s.getFunctionalInterfaceClass());
        d.put(FUNCTIONAL_INTERFACE_METHOD_NAME, s.getFunctionalInterfaceMethodName());
        d.put(FUNCTIONAL_INTERFACE_METHOD_SIGNATURE, s.getFunctionalInterfaceMethodSignature());
        d.put(IMPL_CLASS, s.getImplClass());
        d.put(IMPL_METHOD_NAME, s.getImplMethodName());
        d.put(IMPL_METHOD_SIGNATURE, s.getImplMethodSignature());
        d.put(IMPL_METHOD_KIND, s.getImplMethodKind());
        d.put(INSTANTIATED_METHOD_TYPE, s.getInstantiatedMethodType());
        d.put(CAPTURING_CLASS, s.getCapturingClass());
        List<Object> captured = new ArrayList<>(s.getCapturedArgCount());
        for (int i = 0; i < s.getCapturedArgCount(); i++) {
            Object v = s.getCapturedArg(i);
            if (v instanceof Shareable sh) { // an IPC object travels as its address, as a Worker argument does
                Class<?> declared = capturedType(s, i, c.getClassLoader());
                if (declared == null || !attachable(declared)) {
                    throw new IllegalArgumentException(cannotTravel(s, i, v) + " (an IPC object can be captured"
                            + " when its variable is declared with its own type, such as Connection or Queue)");
                }
                captured.add(sh.address());
                continue;
            }
            try {
                Codec.check(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(cannotTravel(s, i, v), e);
            }
            captured.add(v);
        }
        d.put(CAPTURED_ARGS, captured);
        return d;
    }

    /**
     * The function a {@link #describe description} names, as an {@code iface}: {@code implClass} is loaded
     * with {@code loader} (the only class that must be loadable by name, with the classes its signature
     * names), its method found with a private lookup, the captured values bound to it. Arguments are adapted
     * to the method's parameter types leniently where no value is lost (an Integer for a long, a Long or a
     * Double for an Object, an Integer in range for a short); results are boxed. What the body throws reaches
     * the caller as thrown.
     *
     * @throws IllegalArgumentException if the description is malformed, was made for another interface, or
     *         names a class or method {@code loader} cannot find
     */
    static <T> T rebuild(Map<String, ?> description, Class<T> iface, ClassLoader loader) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(iface, "iface");
        if (!iface.isInterface()) throw new IllegalArgumentException(iface.getName() + " is not an interface");
        String fiClass = string(description, FUNCTIONAL_INTERFACE_CLASS);
        String fiMethod = string(description, FUNCTIONAL_INTERFACE_METHOD_NAME);
        String fiSignature = string(description, FUNCTIONAL_INTERFACE_METHOD_SIGNATURE);
        String implClass = string(description, IMPL_CLASS);
        String implMethod = string(description, IMPL_METHOD_NAME);
        String implSignature = string(description, IMPL_METHOD_SIGNATURE);
        int kind = kind(description);
        string(description, INSTANTIATED_METHOD_TYPE);
        string(description, CAPTURING_CLASS);
        List<?> captured = capturedArgs(description);
        String name = name(implClass, implMethod);
        if (loader == null) loader = ClassLoader.getSystemClassLoader();

        checkInterface(fiClass, iface, loader, name);
        Method target = abstractMethod(iface, fiMethod, fiSignature, name);
        Class<?> impl = load(implClass, loader, name);
        MethodHandle h = implementation(impl, kind, implMethod, implSignature, loader, name);

        MethodType t = h.type();
        if (captured.size() > t.parameterCount()) {
            throw new IllegalArgumentException(name + " takes " + t.parameterCount() + " arguments (" + t
                    + "), fewer than the " + captured.size() + " values it is said to capture");
        }
        Object[] bound = new Object[captured.size()];
        for (int i = 0; i < bound.length; i++) {
            Class<?> p = t.parameterType(i);
            bound[i] = attachable(p) && captured.get(i) instanceof String address ? Fields.attach(p, address)
                    : adapt(captured.get(i), p, name, "capture " + i);
        }
        h = MethodHandles.insertArguments(h, 0, bound);
        t = h.type();
        if (t.parameterCount() != target.getParameterCount()) {
            throw new IllegalArgumentException(name + " takes " + t.parameterCount() + " argument(s) after its "
                    + bound.length + " captured value(s) (" + t + "), but " + iface.getName() + "."
                    + target.getName() + " passes " + target.getParameterCount());
        }
        Class<?>[] params = t.parameterArray();
        MethodHandle invoker = h.asType(t.wrap().changeReturnType(Object.class))
                .asSpreader(Object[].class, params.length)
                .asType(MethodType.methodType(Object.class, Object[].class));
        Rebuilt handler = new Rebuilt(copy(description), (isLambdaBody(implMethod) ? "lambda " : "method reference ")
                + name, fiMethod, params, invoker);
        ClassLoader proxyLoader = iface.getClassLoader() != null ? iface.getClassLoader() : loader;
        return iface.cast(Proxy.newProxyInstance(proxyLoader, new Class<?>[] {iface}, handler));
    }

    /** Calls the method handle; answers Object's methods itself and runs the interface's default methods. */
    private static final class Rebuilt implements InvocationHandler {
        final Map<String, Object> description;
        private final String name, method;
        private final Class<?>[] params;
        private final MethodHandle invoker;

        Rebuilt(Map<String, Object> description, String name, String method, Class<?>[] params, MethodHandle invoker) {
            this.description = description;
            this.name = name;
            this.method = method;
            this.params = params;
            this.invoker = invoker;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            if (m.getDeclaringClass() == Object.class) {
                switch (m.getName()) {
                    case "toString": return name;
                    case "hashCode": return System.identityHashCode(proxy);
                    case "equals": return proxy == args[0];
                    default: throw new UnsupportedOperationException(m.toString());
                }
            }
            if (m.isDefault()) return InvocationHandler.invokeDefault(proxy, m, args);
            if (!m.getName().equals(method) || m.getParameterCount() != params.length) {
                throw new UnsupportedOperationException(name + " implements " + method + ", not " + m);
            }
            Object[] a = args == null ? new Object[0] : args;
            for (int i = 0; i < a.length; i++) a[i] = adapt(a[i], params[i], name, "argument " + (i + 1));
            Object r = (Object) invoker.invokeExact(a);
            Class<?> rt = m.getReturnType();
            if (rt == void.class) return null;
            return r == null && !rt.isPrimitive() ? null : adapt(r, rt, name, "its result");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // ---- describe

    private static boolean isLambdaClass(Class<?> c) {
        return c.isSynthetic() && c.getName().contains("$$Lambda");
    }

    private static SerializedLambda serializedForm(Object fn, Class<?> c) {
        Method m;
        try {
            m = c.getDeclaredMethod("writeReplace");
        } catch (NoSuchMethodException e) {
            String ifaces = String.join(", ", Arrays.stream(c.getInterfaces()).map(Class::getName).toList());
            throw new IllegalArgumentException("this lambda or method reference (" + c.getName() + ") has the target"
                    + " type " + ifaces + ", which is not java.io.Serializable, so Java keeps no description of it"
                    + " that a worker JVM could rebuild it from: its target type must be one of mproc's serializable"
                    + " functional interfaces (declare the variable or parameter with that type, or cast the lambda"
                    + " to it)");
        }
        try {
            m.setAccessible(true);
            if (m.invoke(fn) instanceof SerializedLambda s) return s;
        } catch (InaccessibleObjectException | IllegalAccessException e) {
            throw new IllegalArgumentException("cannot read the description of " + c.getName() + ": its module does"
                    + " not open " + c.getPackageName() + " to mproc (" + e.getMessage() + ")", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("cannot read the description of " + c.getName() + ": "
                    + e.getCause(), e.getCause());
        }
        throw new IllegalArgumentException(c.getName() + ".writeReplace() does not describe a lambda");
    }

    private static String cannotTravel(SerializedLambda s, int i, Object v) {
        String what = isLambdaBody(s.getImplMethodName()) ? "the lambda in " + name(s.getImplClass(), s.getImplMethodName())
                : "the method reference " + name(s.getImplClass(), s.getImplMethodName());
        int kind = s.getImplMethodKind();
        boolean instanceMethod = kind != MethodHandleInfo.REF_invokeStatic && kind != MethodHandleInfo.REF_newInvokeSpecial;
        if (i == 0 && instanceMethod && s.getImplClass().equals(s.getCapturingClass())
                && isA(v.getClass(), s.getCapturingClass().replace('/', '.'))) {
            return what + " captures the enclosing instance (this, a " + v.getClass().getName() + ", capture 0),"
                    + " which cannot travel to a worker JVM: it uses a field or an instance method of "
                    + binary(s.getCapturingClass()) + ". Make the enclosing method static, or copy what the lambda"
                    + " needs into local variables and capture only those values (" + TRAVELS + ")";
        }
        return what + " captures a " + v.getClass().getName() + " (capture " + i + "), which cannot travel to a worker"
                + " JVM: " + TRAVELS + ", or compute it inside the lambda";
    }

    /** The declared type of captured value {@code i} (the receiver first for an instance method); null if unknown. */
    private static Class<?> capturedType(SerializedLambda s, int i, ClassLoader loader) {
        try {
            MethodType mt = MethodType.fromMethodDescriptorString(s.getImplMethodSignature(), loader);
            int kind = s.getImplMethodKind();
            boolean receiver = kind != MethodHandleInfo.REF_invokeStatic && kind != MethodHandleInfo.REF_newInvokeSpecial;
            if (receiver && i == 0) return Class.forName(s.getImplClass().replace('/', '.'), false, loader);
            int p = receiver ? i - 1 : i;
            return p < mt.parameterCount() ? mt.parameterType(p) : null;
        } catch (ClassNotFoundException | TypeNotPresentException | IllegalArgumentException e) {
            return null;
        }
    }

    /** An IPC type a worker can attach by address: a Shareable class with a static {@code attach(String)}. */
    private static boolean attachable(Class<?> t) {
        if (!Shareable.class.isAssignableFrom(t) || t.isInterface()) return false;
        try {
            return Modifier.isStatic(t.getMethod("attach", String.class).getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static boolean isA(Class<?> c, String binaryName) {
        if (c == null) return false;
        if (c.getName().equals(binaryName)) return true;
        for (Class<?> i : c.getInterfaces()) if (isA(i, binaryName)) return true;
        return isA(c.getSuperclass(), binaryName);
    }

    // ---- rebuild

    private static String string(Map<String, ?> d, String key) {
        Object v = d.get(key);
        if (v instanceof String s) return s;
        throw malformed(d, key, v);
    }

    private static int kind(Map<String, ?> d) {
        Object v = d.get(IMPL_METHOD_KIND);
        if (v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof Long l && l == l.intValue()) {
            return ((Number) v).intValue();
        }
        throw malformed(d, IMPL_METHOD_KIND, v);
    }

    private static List<?> capturedArgs(Map<String, ?> d) {
        Object v = d.get(CAPTURED_ARGS);
        if (v instanceof List<?> l) return l;
        throw malformed(d, CAPTURED_ARGS, v);
    }

    private static IllegalArgumentException malformed(Map<String, ?> d, String key, Object v) {
        return new IllegalArgumentException("not a lambda description: " + key + " is "
                + (v == null ? "missing" : "a " + v.getClass().getName()) + " (keys: " + d.keySet() + ")");
    }

    private static void checkInterface(String fiClass, Class<?> iface, ClassLoader loader, String name) {
        String fi = binary(fiClass);
        if (fi.equals(iface.getName())) return;
        Class<?> described = null;
        for (ClassLoader l : new ClassLoader[] {iface.getClassLoader(), loader}) {
            try {
                described = Class.forName(fi, false, l);
                break;
            } catch (ClassNotFoundException | LinkageError e) {
                // try the next loader
            }
        }
        if (described != null && iface.isAssignableFrom(described)) return;
        throw new IllegalArgumentException(name + " was made for a " + fi + ", not a " + iface.getName()
                + ": it cannot be rebuilt as one");
    }

    private static Method abstractMethod(Class<?> iface, String method, String signature, String name) {
        Method any = null;
        for (Method m : iface.getMethods()) {
            if (!Modifier.isAbstract(m.getModifiers()) || !m.getName().equals(method)) continue;
            if (MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString().equals(signature)) {
                return m;
            }
            if (any == null) any = m;
        }
        if (any != null) return any;
        throw new IllegalArgumentException(name + " implements " + method + signature + ", which "
                + iface.getName() + " does not declare");
    }

    private static Class<?> load(String implClass, ClassLoader loader, String name) {
        try {
            return Class.forName(binary(implClass), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("cannot rebuild " + name + ": class " + binary(implClass)
                    + " is not found by " + loader + " (" + e + "); the worker JVM needs the same classes on its"
                    + " class path", e);
        }
    }

    private static MethodHandle implementation(Class<?> impl, int kind, String method, String signature,
            ClassLoader loader, String name) {
        MethodType type;
        try {
            type = MethodType.fromMethodDescriptorString(signature, impl.getClassLoader() != null ? impl.getClassLoader() : loader);
        } catch (TypeNotPresentException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot rebuild " + name + ": its signature " + signature
                    + " names a class that cannot be loaded (" + e.getMessage() + ")", e);
        }
        MethodHandles.Lookup lookup;
        try {
            lookup = MethodHandles.privateLookupIn(impl, MethodHandles.lookup());
        } catch (IllegalAccessException | SecurityException e) {
            lookup = MethodHandles.lookup(); // a package not open to us (java.lang.String): its public methods
        }
        try {
            switch (kind) {
                case MethodHandleInfo.REF_invokeStatic:
                    return lookup.findStatic(impl, method, type);
                case MethodHandleInfo.REF_invokeVirtual:
                case MethodHandleInfo.REF_invokeInterface:
                    return lookup.findVirtual(impl, method, type);
                case MethodHandleInfo.REF_invokeSpecial:
                    try {
                        return lookup.findSpecial(impl, method, type, impl);
                    } catch (IllegalAccessException e) {
                        return lookup.findVirtual(impl, method, type);
                    }
                case MethodHandleInfo.REF_newInvokeSpecial:
                    if (!"<init>".equals(method)) break;
                    return lookup.findConstructor(impl, type);
                default:
                    break;
            }
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalArgumentException("cannot rebuild " + name + signature + ": " + e.getMessage()
                    + " (is the class the same version in both JVMs?)", e);
        }
        throw new IllegalArgumentException("cannot rebuild " + name + ": method kind " + kind + " ("
                + MethodHandleInfo.referenceKindToString(kind) + ") is not a kind a lambda or method reference has");
    }

    /**
     * {@code v} as a {@code to} (boxed if primitive): itself if it is one, else a number converted without loss
     * (Codec sends a short as an Integer and a float as a Double; a caller may pass an Integer for a long).
     */
    private static Object adapt(Object v, Class<?> to, String name, String what) {
        Class<?> box = to.isPrimitive() ? MethodType.methodType(to).wrap().returnType() : to;
        if (v == null) {
            if (!to.isPrimitive()) return null;
            throw new ClassCastException(name + " needs " + article(to.getName()) + " as " + what + " but was given null");
        }
        if (box.isInstance(v)) return v;
        boolean integral = v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof Character;
        if (integral || v instanceof Double || v instanceof Float) {
            long l = v instanceof Character ch ? ch : integral ? ((Number) v).longValue() : 0;
            double d = v instanceof Character ch ? ch : ((Number) v).doubleValue();
            Object r = null;
            if (box == Long.class && integral) r = l;
            else if (box == Integer.class && integral && l == (int) l) r = (int) l;
            else if (box == Short.class && integral && l == (short) l) r = (short) l;
            else if (box == Byte.class && integral && l == (byte) l) r = (byte) l;
            else if (box == Character.class && integral && l == (char) l) r = (char) l;
            else if (box == Double.class) r = d;
            else if (box == Float.class && (integral || (float) d == d || Double.isNaN(d))) r = (float) d;
            if (r != null) return r;
            if (integral && (box == Integer.class || box == Short.class || box == Byte.class || box == Character.class)) {
                throw new ClassCastException(name + " needs " + article(to.getName()) + " as " + what + " but was given the "
                        + v.getClass().getSimpleName() + " " + v + ", which does not fit in one");
            }
        }
        throw new ClassCastException(name + " needs " + article(to.getTypeName()) + " as " + what + " but was given a "
                + v.getClass().getTypeName() + " (" + preview(v) + ")");
    }

    private static String article(String type) {
        return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }

    private static String preview(Object v) {
        String s = v.getClass().isArray() ? v.getClass().getComponentType().getName() + "[" + java.lang.reflect.Array.getLength(v) + "]"
                : String.valueOf(v);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    // ---- names

    private static boolean isLambdaBody(String implMethod) {
        return implMethod.startsWith("lambda$");
    }

    /** How messages and toString name it: {@code mproc.Lessons.lambda$main$0}, {@code java.lang.String::length}. */
    private static String name(String implClass, String implMethod) {
        if (isLambdaBody(implMethod)) return binary(implClass) + "." + implMethod;
        return binary(implClass) + "::" + ("<init>".equals(implMethod) ? "new" : implMethod);
    }

    private static String binary(String internalName) {
        return internalName.replace('/', '.');
    }

    private static Map<String, Object> copy(Map<String, ?> d) {
        Map<String, Object> c = new LinkedHashMap<>(d);
        if (d.get(CAPTURED_ARGS) instanceof List<?> l) c.put(CAPTURED_ARGS, new ArrayList<Object>(l));
        return c;
    }
}
