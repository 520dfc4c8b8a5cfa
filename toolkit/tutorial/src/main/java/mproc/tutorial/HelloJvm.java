package mproc.tutorial;

/** The start-up baseline: a hello-world JVM, started the way a worker is (chapter 6 and make bench). */
public final class HelloJvm {
    private HelloJvm() {}

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
