package mproc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a worker does with the class name it is sent: checked before any of the class's code runs. */
class TargetsTest {
    static volatile boolean initialised;

    /** Not a pool function; its static initialiser would run if the class were initialised. */
    public static class NotAFunction {
        static {
            initialised = true;
        }
    }

    public static class Twice implements Fn<Integer, Integer> {
        public Integer apply(Integer x) {
            return 2 * x;
        }
    }

    @Test
    void aClassOfTheWrongTypeIsRefusedBeforeItsStaticCodeRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Targets.resolve(NotAFunction.class.getName(), Fn.class, getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("is not a Fn"), e.getMessage());
        assertFalse(initialised, "the static initialiser ran before the type was checked");
    }

    @SuppressWarnings("unchecked")
    @Test
    void aClassOfTheRightTypeIsMade() throws Exception {
        Fn<Integer, Integer> f = Targets.resolve(Twice.class.getName(), Fn.class, getClass().getClassLoader());
        assertEquals(14, f.apply(7));
    }
}
