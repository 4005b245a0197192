package org.vigil.alerting.store;

/**
 * What a store was asked about does not exist (an organisation, or its webhook). A domain error: the HTTP layer
 * decides what the caller is told.
 */
public final class NotFoundException extends RuntimeException {

    private final String what;

    NotFoundException(String what) {
        super(what + " does not exist");
        this.what = what;
    }

    /** What was not found, e.g. {@code "organisation 7"}. */
    public String what() {
        return what;
    }
}
