package org.vigil.simulator;

/**
 * A command-line option (or the equivalent {@link SimulatorConfig} field) is missing or invalid. The
 * message always begins with the option, e.g. {@code --rate: must be greater than 0}, so the user can
 * fix the command line without reading code. The CLI exits with status 2 on this exception.
 */
public final class InvalidOptionException extends IllegalArgumentException {

    private final String option;

    /**
     * @param option   the option at fault, with its dashes ({@code --rate})
     * @param problem  what is wrong and, where it helps, what is accepted
     */
    public InvalidOptionException(String option, String problem) {
        super(option + ": " + problem);
        this.option = option;
    }

    /** The option at fault, with its dashes. */
    public String option() {
        return option;
    }
}
