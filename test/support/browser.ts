/**
 * Debian's Chromium driven by playwright-core (`executablePath`), headless. `.ci/run` installs it; set
 * CHROMIUM_PATH to use another build.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's package puts the browser. */
const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** Launches the browser; throws saying how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? DEBIAN_CHROMIUM;
  if (!existsSync(executablePath)) throw new Error(`No Chromium at ${executablePath}: install it with \`apt-get install chromium\` (as .ci/run does) or set CHROMIUM_PATH.`);
  // Root (as in CI containers) cannot use Chromium's sandbox.
  return chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
}
