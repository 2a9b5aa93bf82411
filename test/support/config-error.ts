import { MoAConfigError } from "../../src/index.js";

/** The {@link MoAConfigError} `make` throws; fails the test when it throws anything else, or nothing. */
export function configError(make: () => unknown): MoAConfigError {
  try {
    make();
  } catch (error) {
    if (MoAConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a MoAConfigError");
}
