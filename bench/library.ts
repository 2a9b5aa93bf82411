import type * as Source from "../src/index.js";

/**
 * This library as an application runs it: the built package (`dist/index.mjs`, what npm installs), typed
 * by its source. `npm run bench` builds it first. The source run through tsx would cost more per turn than
 * the package does (esbuild's `keepNames` wraps each function the code creates in a `__name` call).
 */
export const library = (await import(new URL("../dist/index.mjs", import.meta.url).href)) as typeof Source;
