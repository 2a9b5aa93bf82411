/**
 * The web playground in a real browser: `npm run playground` started as a user starts it, its models on
 * the OpenAI-protocol test server, and Debian's Chromium driven by playwright-core. Screenshots of the
 * states it reaches go to test-results/playground/.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { closedPort } from "../support/closed-port.js";
import { startOpenAIServer } from "../support/openai-server.js";
import { startPlayground, type PlaygroundProcess } from "../support/playground-process.js";
import type { ProtocolServer } from "../support/protocol-server.js";

const SHOTS = "test-results/playground";
const ANSWER = 'Two facts:\n\n- Paris is the capital\n- France is in Europe\n\n```js\nconsole.log("hi")\n```\n\n<img src="x" onerror="window.pwned = 1"> <script>window.pwned = 2</script>';

let models: ProtocolServer;
let playground: PlaygroundProcess;
let browser: Browser;
let stateDir: string;

beforeAll(async () => {
  models = await startOpenAIServer({
    models: {
      p1: { text: "Paris is the capital of France.", usage: { input: 12, output: 7 }, latencyMs: 150 },
      p2: { text: "The capital is **Paris**.", usage: { input: 12, output: 6 }, latencyMs: 400 },
      agg: { text: ANSWER, usage: { input: 60, output: 30 }, chunkDelayMs: 60 },
      slow: { text: "too late", latencyMs: 60_000 },
      unhurried: { text: "Worth the wait.", usage: { input: 12, output: 4 }, latencyMs: 4_000 },
      cut: { text: "a partial answer that never ends", fault: { kind: "reset" } },
      rich: { text: "| model | score |\n|---|---|\n| p1 | 9 |\n\n![pixel](http://127.0.0.1:9/pixel.png) and [a link](javascript:alert(1))" },
    },
  });
  stateDir = await mkdtemp(join(tmpdir(), "moa-playground-"));
  playground = await startPlayground(
    {
      MOA_PROPOSERS: "openai:p1,openai:p2",
      MOA_AGGREGATOR: "openai:agg",
      MOA_MODELS: "openai:missing,openai:slow,openai:unhurried,openai:cut,openai:rich",
      MOA_PRICES: JSON.stringify({ "openai:agg": { inputPerMTok: 2.5, outputPerMTok: 10 } }),
      OPENAI_BASE_URL: `${models.url}/v1`,
      OPENAI_API_KEY: "sk-test-key",
    },
    stateDir,
  );
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await playground?.stop();
  await models?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function openPage(size: { width: number; height: number } = { width: 1280, height: 800 }, url = playground.pageUrl): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(url);
  return page;
}

async function ask(page: Page, question: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(question);
  await box.press("Enter");
}

const latestTurn = (page: Page) => page.getByRole("region", { name: /^Turn \d+$/ }).last();

/** Waits until the latest turn's answer is whole: its summary line (who answered) is shown once the run is over. */
async function answered(page: Page): Promise<void> {
  await expect.poll(() => latestTurn(page).getByRole("article", { name: "Answer" }).textContent(), { timeout: 15_000 }).toContain("by openai:agg");
  // The run is over once the page offers Send again (it reads the thread's history first).
  await expect.poll(() => page.getByRole("button", { name: "Stop" }).count(), { timeout: 10_000 }).toBe(0);
}

describe("the playground", () => {
  it("prints its URL and serves the page and the offered models from the server's origin", async () => {
    expect(playground.pageUrl).toBe(`${playground.url}/playground/`);
    const offered = (await (await fetch(`${playground.url}/moa/models`)).json()) as { models: string[]; defaults: { proposers: Array<{ model: string }> } };
    expect(offered.models).toEqual(["openai:p1", "openai:p2", "openai:agg", "openai:missing", "openai:slow", "openai:unhurried", "openai:cut", "openai:rich"]);
    expect(offered.defaults.proposers.map((entry) => entry.model)).toEqual(["openai:p1", "openai:p2"]);
  }, 60_000);

  it("shows a turn live: a card per proposer, the answer streamed and rendered as safe Markdown, the timeline and tokens", async () => {
    const page = await openPage();
    await ask(page, "What is the capital of France?");
    const turn = latestTurn(page);
    // The proposers' cards appear while they run; p2 answers after p1.
    await expect.poll(() => turn.getByRole("article", { name: "openai:p2" }).textContent(), { timeout: 10_000 }).toMatch(/Running…|The capital is/);
    const answer = turn.getByRole("article", { name: "Answer" });
    // Token by token: the answer is seen part-written before it is whole.
    const seen = new Set<string>();
    for (const until = Date.now() + 15_000; Date.now() < until && ![...seen].some((text) => text.includes("console.log")); ) {
      seen.add((await answer.locator(".markdown").textContent().catch(() => null)) ?? "");
    }
    expect([...seen].some((text) => text.startsWith("Two") && !text.includes("console.log"))).toBe(true);
    expect([...seen].some((text) => text.includes("console.log"))).toBe(true);

    await expect.poll(() => turn.getByRole("article", { name: "openai:p1" }).textContent()).toContain("Paris is the capital of France.");
    await expect.poll(() => turn.getByRole("article", { name: "openai:p1" }).textContent()).toContain("19 tokens (12 in, 7 out)");
    expect(await turn.getByRole("article", { name: "openai:p2" }).locator("strong").textContent()).toBe("Paris");
    // Markdown: a list and a code block; the HTML in the answer is shown as text and never runs.
    await answered(page);
    await expect.poll(() => answer.getByRole("listitem").allTextContents()).toEqual(["Paris is the capital", "France is in Europe"]);
    expect(await answer.locator("pre code").textContent()).toBe('console.log("hi")\n');
    expect(await answer.locator("img, script").count()).toBe(0);
    expect(await answer.textContent()).toContain('<img src="x" onerror="window.pwned = 1">');
    expect(await page.evaluate("window.pwned")).toBeUndefined();

    // Where the time and tokens went: a bar per call, by layer, and the aggregator's cost from its price.
    await expect.poll(() => turn.getByRole("figure").getByRole("listitem").count(), { timeout: 10_000 }).toBe(3);
    const bars = await turn.getByRole("figure").getByRole("listitem").evaluateAll((items) => items.map((item) => item.getAttribute("aria-label")));
    expect(bars).toEqual([expect.stringMatching(/^Layer 1, openai:p1: .* ok$/), expect.stringMatching(/^Layer 1, openai:p2: .* ok$/), expect.stringMatching(/^Aggregator, openai:agg: .* ok$/)]);
    const rows = await turn.getByRole("table").getByRole("row").allTextContents();
    expect(rows).toContainEqual(expect.stringContaining("openai:agg16030"));
    // 60 input tokens at 2.5 and 30 output tokens at 10 per million: 0.00045.
    expect(rows.join(" ")).toContain("0.00045");
    expect(new URL(page.url()).searchParams.get("thread")).toMatch(/^[0-9a-f-]{36}$/);
    await page.screenshot({ path: `${SHOTS}/turn.png` });

    // A reload shows the same conversation, with its layers (texts kept by this browser) and trace.
    await page.reload();
    const again = latestTurn(page);
    await expect.poll(() => again.getByRole("article", { name: "Answer" }).textContent(), { timeout: 10_000 }).toContain("France is in Europe");
    expect(await again.getByRole("article", { name: "openai:p1" }).textContent()).toContain("Paris is the capital of France.");
    expect(await again.getByRole("figure").getByRole("listitem").count()).toBe(3);

    // A second turn: the first keeps its layers, folded; the latest shows its own.
    await ask(page, "And of Spain?");
    await answered(page);
    const [first, second] = [page.getByRole("region", { name: "Turn 1" }), page.getByRole("region", { name: "Turn 2" })];
    expect(await first.locator("details.layers").getAttribute("open")).toBeNull();
    expect(await first.locator("details.layers summary").textContent()).toBe("1 layer of proposals (2 calls)");
    expect(await first.getByRole("article", { name: "openai:p1" }).isVisible()).toBe(false);
    expect(await second.locator("details.layers").getAttribute("open")).toBe("");
    expect(await second.getByRole("article", { name: "openai:p1" }).isVisible()).toBe(true);
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows a failed proposer in its card with the cause, and the answer of the others", async () => {
    const page = await openPage();
    await page.getByText(/^Settings:/).click();
    await page.getByRole("checkbox", { name: "openai:missing" }).check();
    await page.getByRole("checkbox", { name: "openai:p2" }).uncheck();
    await page.getByRole("combobox", { name: "Aggregator" }).selectOption("openai:agg");
    await ask(page, "Which models are there?");
    const card = latestTurn(page).getByRole("article", { name: "openai:missing" });
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain("Failed:");
    expect(await card.textContent()).toMatch(/missing/);
    await answered(page);
    expect(await latestTurn(page).getByRole("article", { name: "openai:p1" }).textContent()).toContain("Paris is the capital");
    // The run used the page's choice: the missing model was asked, p2 was not.
    const asked = models.requests.filter((request) => request.messages.some((message) => String(message.content).includes("Which models are there?"))).map((request) => request.model);
    expect(asked.sort()).toEqual(["agg", "missing", "p1"]);
    await page.screenshot({ path: `${SHOTS}/failed-proposer.png` });
    await page.close();
  }, 60_000);

  it("stops a running turn, leaves the thread as it was, and gives the message back", async () => {
    const page = await openPage();
    await ask(page, "First question");
    await answered(page);
    const threadUrl = page.url();
    await page.getByText(/^Settings:/).click();
    await page.getByRole("checkbox", { name: "openai:slow" }).check();
    await ask(page, "A question that takes too long");
    const slowCard = page.getByRole("article", { name: "openai:slow" });
    await expect.poll(() => slowCard.textContent(), { timeout: 10_000 }).toContain("Running…");
    await page.getByRole("button", { name: "Stop" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent(), { timeout: 10_000 }).toContain("Stopped.");
    expect(await page.getByRole("textbox", { name: "Message" }).inputValue()).toBe("A question that takes too long");
    await page.screenshot({ path: `${SHOTS}/stopped.png` });
    await page.goto(threadUrl);
    await expect.poll(() => page.getByRole("region", { name: /^Turn \d+$/ }).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByRole("region", { name: "Turn 1" }).textContent()).toContain("First question");
    await page.close();
  }, 60_000);

  it("says why a rejected choice failed its turn, and the thread stays as it was", async () => {
    const page = await openPage();
    await page.getByText(/^Settings:/).click();
    await page.getByRole("spinbutton", { name: "Layers" }).fill("0");
    await ask(page, "Zero layers?");
    await expect.poll(() => page.getByRole("alert").first().textContent(), { timeout: 15_000 }).toMatch(/The turn failed: .*layers.*>= 1/);
    expect(await page.getByRole("region", { name: /^Turn \d+$/ }).count()).toBe(0);
    expect(await page.getByRole("textbox", { name: "Message" }).inputValue()).toBe("Zero layers?");
    await page.close();
  }, 60_000);

  it("shows a turn whose every proposer failed: the cause in the card, the error, and the thread as it was", async () => {
    const page = await openPage();
    await ask(page, "Before the failure");
    await answered(page);
    await page.getByText(/^Settings:/).click();
    await page.getByRole("checkbox", { name: "openai:p1" }).uncheck();
    await page.getByRole("checkbox", { name: "openai:p2" }).uncheck();
    await page.getByRole("checkbox", { name: "openai:missing" }).check();
    await ask(page, "Nobody can answer this");
    const failed = page.getByRole("region", { name: "Failed turn" });
    await expect.poll(() => failed.getByRole("alert").textContent(), { timeout: 15_000 }).toMatch(/^The turn failed: .*ProposersFailed|^The turn failed: .*proposal/);
    expect(await failed.getByRole("article", { name: "openai:missing" }).textContent()).toMatch(/Failed:.*does not exist/);
    expect(await page.getByRole("region", { name: /^Turn \d+$/ }).count()).toBe(1);
    expect(await page.getByRole("textbox", { name: "Message" }).inputValue()).toBe("Nobody can answer this");
    await page.reload();
    await expect.poll(() => page.getByRole("region", { name: "Turn 1" }).textContent(), { timeout: 10_000 }).toContain("Before the failure");
    expect(await page.getByRole("region", { name: /^Turn \d+$/ }).count()).toBe(1);
    await page.close();
  }, 60_000);

  it("drops what a turn cut short had streamed, and shows the next turn live", async () => {
    const page = await openPage();
    await page.getByText(/^Settings:/).click();
    await page.getByRole("combobox", { name: "Aggregator" }).selectOption("openai:cut");
    await ask(page, "Cut me off");
    const failed = page.getByRole("region", { name: "Failed turn" });
    await expect.poll(() => failed.getByRole("alert").textContent(), { timeout: 30_000 }).toMatch(/^The turn failed: /);
    expect(await page.getByRole("region", { name: /^Turn \d+$/ }).count()).toBe(0);
    await page.getByRole("combobox", { name: "Aggregator" }).selectOption("openai:agg");
    await page.getByRole("textbox", { name: "Message" }).press("Enter");
    await expect.poll(() => page.getByRole("region", { name: /^Turn \d+$/ }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => latestTurn(page).getByRole("article", { name: "openai:p1" }).count(), { timeout: 10_000 }).toBe(1);
    await answered(page);
    expect(await latestTurn(page).textContent()).toContain("Cut me off");
    await page.close();
  }, 90_000);

  it("joins a running turn again after a reload, and it ends with its answer", async () => {
    const page = await openPage();
    await page.getByText(/^Settings:/).click();
    await page.getByRole("checkbox", { name: "openai:unhurried" }).check();
    await ask(page, "Take your time");
    await expect.poll(() => latestTurn(page).getByRole("article", { name: "openai:unhurried" }).textContent(), { timeout: 10_000 }).toContain("Running…");
    await page.reload();
    await expect.poll(() => latestTurn(page).getByRole("article", { name: "openai:unhurried" }).textContent(), { timeout: 20_000 }).toContain("Worth the wait.");
    await answered(page);
    expect(await latestTurn(page).textContent()).toContain("Take your time");
    await page.close();
  }, 60_000);

  it("renders tables, never loads an answer's images, and keeps unsafe links as text", async () => {
    const page = await openPage();
    const pixels: string[] = [];
    page.on("request", (request) => request.url().includes("pixel") && pixels.push(request.url()));
    await page.getByText(/^Settings:/).click();
    await page.getByRole("combobox", { name: "Aggregator" }).selectOption("openai:rich");
    await ask(page, "A table, please");
    const answer = latestTurn(page).getByRole("article", { name: "Answer" });
    await expect.poll(() => answer.textContent(), { timeout: 15_000 }).toContain("by openai:rich");
    expect(await answer.getByRole("table").getByRole("row").allTextContents()).toEqual(["modelscore", "p19"]);
    expect(await answer.locator("img").count()).toBe(0);
    expect(await answer.getByRole("link", { name: "[image: pixel]" }).getAttribute("href")).toBe("http://127.0.0.1:9/pixel.png");
    expect(await answer.getByRole("link", { name: "a link" }).count()).toBe(0);
    expect(await answer.textContent()).toContain("a link");
    expect(pixels).toEqual([]);
    await page.close();
  }, 60_000);

  it("says a thread in the URL does not exist, and offers a new one", async () => {
    const page = await openPage(undefined, `${playground.pageUrl}?thread=00000000-0000-0000-0000-000000000000`);
    await expect.poll(() => page.getByRole("alert").allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringContaining("Cannot open thread 00000000-0000-0000-0000-000000000000"));
    await page.getByRole("button", { name: "Start a new thread" }).click();
    expect(new URL(page.url()).searchParams.get("thread")).toBeNull();
    await ask(page, "A fresh start");
    await answered(page);
    await page.close();
  }, 60_000);

  it("keeps threads apart: a second thread, the list, and back to the first", async () => {
    const page = await openPage();
    await ask(page, "Thread one question");
    await answered(page);
    const first = new URL(page.url()).searchParams.get("thread");
    await page.getByRole("button", { name: "New thread" }).click();
    expect(new URL(page.url()).searchParams.get("thread")).toBeNull();
    await ask(page, "Thread two question");
    await answered(page);
    const second = new URL(page.url()).searchParams.get("thread");
    expect(second).not.toBe(first);
    expect(await page.getByRole("region", { name: /^Turn \d+$/ }).count()).toBe(1);
    const threads = page.getByRole("navigation", { name: "Threads" });
    await expect.poll(() => threads.getByRole("link", { name: "Thread one question" }).count(), { timeout: 10_000 }).toBe(1);
    await threads.getByRole("link", { name: "Thread one question" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("thread")).toBe(first);
    await expect.poll(() => page.getByRole("region", { name: "Turn 1" }).textContent(), { timeout: 10_000 }).toContain("Thread one question");
    expect(await page.getByRole("region", { name: /^Turn \d+$/ }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/threads.png` });
    await page.close();
  }, 60_000);

  it("says so when the server cannot be reached, and does not hang", async () => {
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const page = await openPage(undefined, `${playground.pageUrl}?api=${encodeURIComponent(nowhere)}`);
    await expect.poll(() => page.getByRole("alert").allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringContaining(`Cannot reach the LangGraph Server at ${nowhere}`));
    await ask(page, "Anyone there?");
    await expect.poll(() => page.getByRole("alert").allTextContents(), { timeout: 15_000 }).toContainEqual(expect.stringContaining("The turn failed: Cannot reach the LangGraph Server"));
    expect(await page.getByRole("button", { name: "Stop" }).count()).toBe(0);
    await page.close();
  }, 60_000);

  it("works on a phone-sized screen and with the keyboard alone", async () => {
    const page = await openPage({ width: 390, height: 844 });
    // Keyboard: the first Tab reaches the skip link, which leads to the message box; Enter sends.
    await page.getByRole("link", { name: "Skip to the message box" }).waitFor({ state: "attached" });
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to the message box");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement?.id")).toBe("message");
    await page.keyboard.type("Small screen?");
    await page.keyboard.press("Enter");
    await answered(page);
    // Nothing wider than the screen.
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/phone.png` });
    await page.close();
  }, 60_000);
});
