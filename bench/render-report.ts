/** Renders bench/REPORT.md again from bench/results.json (after a change to the report's text). */
import { readFile, writeFile } from "node:fs/promises";
import { renderReport, type BenchResults } from "./report.js";

const results = JSON.parse(await readFile(new URL("results.json", import.meta.url), "utf8")) as BenchResults;
await writeFile(new URL("REPORT.md", import.meta.url), renderReport(results));
console.error("Wrote bench/REPORT.md");
