package mproc;

/**
 * Lambdas made in a class of another class loader (as JShell's {@code REPL.$JShell$12} is): see
 * {@link LambdasTest#implClassFromAnotherLoader}. Public, with a public interface: another loader's
 * {@code mproc} is another runtime package.
 */
public final class LambdaSource {
    private LambdaSource() {}

    public static LambdaChild.Fn times(int k) {
        return x -> (Integer) x * k;
    }

    public static LambdaChild.Fn loaderName() {
        return x -> LambdaSource.class.getClassLoader().getName() + x;
    }

    public static LambdaChild.Fn privateReference() {
        return LambdaSource::secret;
    }

    private static Object secret(Object x) {
        return "secret " + x;
    }
}
