package org.vigil.common.http;

/**
 * A request the client got wrong (HTTP 4xx). Handlers throw it, or fail their future with it, and the
 * router's failure handler turns it into the {@link ApiError} body; anything else is a server error.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String error;
    private final String field;

    public ApiException(int status, String error, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(400, "invalid_request", field, message);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", null, what + " not found");
    }

    public static ApiException conflict(String field, String message) {
        return new ApiException(409, "conflict", field, message);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** The request field at fault, or {@code null} when the fault is not one field's. */
    public String field() {
        return field;
    }
}
