package mproc.tutorial;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The notebook kernel this JVM runs in, through its own API by reflection (the kernel's jar is on the
 * kernel's class path, not a dependency of the tutorial): IJava, or its successor JJava. Shows HTML and
 * images, updates a display in place, registers a cell magic. Every notebook helper goes through here.
 */
public final class Kernel {
    /** The two kernels' packages: IJava 1.3 (what CI installs), JJava (what readers install today). */
    private static final String[][] KERNELS = {
        {"io.github.spencerpark.ijava.IJava", "io.github.spencerpark.jupyter.kernel.display.DisplayData",
            "io.github.spencerpark.jupyter.kernel.magic.registry.CellMagicFunction"},
        {"org.dflib.jjava.JJava", "org.dflib.jjava.jupyter.kernel.display.DisplayData",
            "org.dflib.jjava.jupyter.kernel.magic.registry.CellMagicFunction"},
    };
    private static volatile Kernel instance;

    private final Object kernel;
    private final Class<?> displayData;
    private final String cellMagic;

    private Kernel(Object kernel, Class<?> displayData, String cellMagic) {
        this.kernel = kernel;
        this.displayData = displayData;
        this.cellMagic = cellMagic;
    }

    /** The kernel of this JVM; fails with a clear message outside a notebook. */
    public static Kernel get() {
        Kernel k = instance;
        if (k != null) return k;
        ClassLoader l = Kernel.class.getClassLoader();
        for (String[] names : KERNELS) {
            try {
                Object kernel = Class.forName(names[0], true, l).getMethod("getKernelInstance").invoke(null);
                if (kernel != null) return instance = new Kernel(kernel, Class.forName(names[1], true, l), names[2]);
            } catch (ReflectiveOperationException | LinkageError e) {
                // not this kernel
            }
        }
        throw new IllegalStateException("not in a notebook: neither the IJava nor the JJava kernel runs this JVM");
    }

    /** Whether this JVM is a notebook kernel. */
    public static boolean present() {
        try {
            get();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Shows an output with a text and an HTML form; returns its display id (see {@link #update}). */
    public String display(String text, String html) {
        String id = "mproc-" + UUID.randomUUID();
        show(data(text, "text/html", html), id, false);
        return id;
    }

    /** Replaces the output shown with {@code id}. */
    public void update(String id, String text, String html) {
        show(data(text, "text/html", html), id, true);
    }

    /** Shows a PNG image. */
    public void png(byte[] png, String text) {
        show(data(text, "image/png", Base64.getEncoder().encodeToString(png)), null, false);
    }

    /**
     * A PNG image as the kernel's display data, shown at {@code width} x {@code height} (an image of more
     * pixels than that stays sharp on a high-density screen): the value a cell's last expression may be.
     */
    public Object pngData(byte[] png, int width, int height, String text) {
        Object d = data(text, "image/png", Base64.getEncoder().encodeToString(png));
        try {
            displayData.getMethod("putMetaData", String.class, Object.class)
                    .invoke(d, "image/png", java.util.Map.of("width", width, "height", height));
            return d;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the kernel's display API changed: " + e, e);
        }
    }

    private Object data(String text, String mime, String value) {
        try {
            Object d = displayData.getConstructor(String.class).newInstance(text);
            displayData.getMethod("putData", String.class, Object.class).invoke(d, mime, value);
            return d;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the kernel's display API changed: " + e, e);
        }
    }

    private void show(Object data, String id, boolean update) {
        try {
            if (id != null) displayData.getMethod("setDisplayId", String.class).invoke(data, id);
            if (!update) {
                kernel.getClass().getMethod("display", displayData).invoke(kernel, data);
                return;
            }
            Object io = kernel.getClass().getMethod("getIO").invoke(kernel);
            Object stream = io.getClass().getField("display").get(io);
            stream.getClass().getMethod("updateDisplay", String.class, displayData).invoke(stream, id, data);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the kernel's display API changed: " + e, e);
        }
    }

    /** Registers {@code %%name}: the magic gets the arguments after the name and the rest of the cell. */
    public void registerCellMagic(String name, BiFunction<List<String>, String, Object> magic) {
        try {
            Class<?> fn = Class.forName(cellMagic, true, kernel.getClass().getClassLoader());
            Object f = Proxy.newProxyInstance(fn.getClassLoader(), new Class<?>[] {fn}, (p, m, a) -> {
                if (m.getDeclaringClass() == Object.class) return m.getName().equals("toString") ? "%%" + name : m.invoke(this, a);
                @SuppressWarnings("unchecked")
                List<String> args = (List<String>) a[0];
                return magic.apply(args, (String) a[1]);
            });
            Object magics = kernel.getClass().getMethod("getMagics").invoke(kernel);
            Method register = magics.getClass().getMethod("registerCellMagic", String.class, fn);
            register.invoke(magics, name, f);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot register %%" + name + " with this kernel: " + e, e);
        }
    }
}
