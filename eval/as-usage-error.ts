import { MoAConfigError } from "../src/index.js";
import { UsageError } from "../tools/usage-error.js";

/**
 * Runs `check` (which may return a promise); a {@link MoAConfigError} it throws becomes a
 * {@link UsageError} with the same message after `context` (e.g. the config file), shown without a
 * stack trace. Anything else is rethrown as it is.
 */
export function asUsageError<T>(check: () => T, context = ""): T {
  const convert = (error: unknown): never => {
    throw MoAConfigError.isInstance(error) ? new UsageError(`${context}${error.message}`) : error;
  };
  try {
    const result = check();
    return (result instanceof Promise ? result.catch(convert) : result) as T;
  } catch (error) {
    return convert(error);
  }
}
