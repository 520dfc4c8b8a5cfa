package mproc;

import java.io.IOException;

/**
 * Python's {@code multiprocessing.AuthenticationError}: the other side of a {@link Listener} or {@link
 * Client} connection did not prove that it has the authentication key (or is no mproc connection at all).
 * The connection is closed; a Listener goes on accepting others.
 */
public class AuthenticationException extends IOException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
