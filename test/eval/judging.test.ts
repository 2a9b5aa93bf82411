/** MT-Bench's judge prompts filled in as the benchmark does, and verdicts read from judge replies. */
import { describe, expect, it } from "vitest";
import { loadJudgePrompts, pairwiseComparisonPrompt, singleGradingPrompt } from "../../eval/judge-prompts.js";
import { loadMtBench, type EvalQuestion } from "../../eval/questions.js";
import { parsePairwiseVerdict, parseRating } from "../../eval/verdicts.js";

const prompts = loadJudgePrompts();
const mtBench = loadMtBench();
const question = (id: string) => mtBench.find((q) => q.id === id) as EvalQuestion;

describe("the judge prompts", () => {
  it("grade a first turn with the question and the answer, and the benchmark's system prompt", () => {
    const prompt = singleGradingPrompt(prompts, question("81"), 1, ["Aloha! {question} stays as written."]);
    expect(prompt.name).toBe("single-v1");
    expect(prompt.system).toBe("You are a helpful assistant.");
    expect(prompt.user).toMatch(/^\[Instruction\]\nPlease act as an impartial judge/);
    expect(prompt.user.endsWith(
      "[Question]\nCompose an engaging travel blog post about a recent trip to Hawaii, highlighting cultural experiences and must-see attractions.\n\n" +
      "[The Start of Assistant's Answer]\nAloha! {question} stays as written.\n[The End of Assistant's Answer]",
    )).toBe(true);
  });

  it("grade math, reasoning and coding against the GPT-4 reference answer, turn 2 with the whole conversation", () => {
    const reasoning = question("101");
    expect(reasoning.reference?.[0]).toMatch(/^If you have just overtaken the second person/);
    const first = singleGradingPrompt(prompts, reasoning, 1, ["Second place."]);
    expect(first.name).toBe("single-math-v1");
    expect(first.user).toContain(`[The Start of Reference Answer]\n${reasoning.reference?.[0]}\n[The End of Reference Answer]`);
    const second = singleGradingPrompt(prompts, reasoning, 2, ["Second place.", "Still second."]);
    expect(second.name).toBe("single-math-v1-multi-turn");
    expect(second.system).toContain("focus on the assistant's answer to the second question");
    expect(second.user).toContain(`### User:\n${reasoning.turns[1]}\n\n### Reference answer:\n${reasoning.reference?.[1]}`);
    expect(second.user).toContain(`### User:\n${reasoning.turns[0]}\n\n### Assistant A:\nSecond place.\n\n### User:\n${reasoning.turns[1]}\n\n### Assistant A:\nStill second.`);
  });

  it("compare two assistants with the pairwise prompts, by category and turn", () => {
    expect(pairwiseComparisonPrompt(prompts, question("81"), 1, ["a"], ["b"]).user).toContain("[The Start of Assistant A's Answer]\na\n[The End of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\nb\n[The End of Assistant B's Answer]");
    expect(pairwiseComparisonPrompt(prompts, question("81"), 2, ["a1", "a2"], ["b1", "b2"]).name).toBe("pair-v2-multi-turn");
    const math = pairwiseComparisonPrompt(prompts, question("111"), 2, ["a1", "a2"], ["b1", "b2"]);
    expect(math.name).toBe("pair-math-v1-multi-turn");
    expect(math.user).toContain("### Assistant B:\nb2");
  });

  it("refuse to fill a prompt whose answers or reference answers are missing", () => {
    expect(() => singleGradingPrompt(prompts, question("81"), 2, ["only the first"])).toThrow(/single-v1-multi-turn needs \{answer_2\}/);
    const partial: EvalQuestion = { id: "p", category: "math", turns: ["a?", "b?"], reference: ["only one"] };
    expect(() => singleGradingPrompt(prompts, partial, 2, ["1", "2"])).toThrow(/needs \{ref_answer_2\}/);
  });

  it("show a third turn and beyond as more of the same conversation, focused on the last question", () => {
    const long: EvalQuestion = { id: "x", category: "support", turns: ["one?", "two?", "three?"] };
    const prompt = singleGradingPrompt(prompts, long, 3, ["1", "2", "3"]);
    expect(prompt.user).toContain("### User:\none?\n\n### Assistant A:\n1\n\n### User:\ntwo?\n\n### Assistant A:\n2\n\n### User:\nthree?\n\n### Assistant A:\n3\n\n<|The End of Assistant A's Conversation with User|>");
    expect(prompt.system).toContain("answer to the last user question");
    expect(prompt.system).not.toContain("second");
  });

  it("cover all 80 MT-Bench questions with reference answers for exactly the 30 math, reasoning and coding ones", () => {
    expect(mtBench).toHaveLength(80);
    expect(new Set(mtBench.map((q) => q.category))).toEqual(new Set(["writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities"]));
    const referenced = mtBench.filter((q) => q.reference);
    expect(referenced).toHaveLength(30);
    expect(new Set(referenced.map((q) => q.category))).toEqual(new Set(["math", "reasoning", "coding"]));
    for (const q of mtBench) {
      expect(q.turns).toHaveLength(2);
      for (let turn = 1; turn <= 2; turn++) {
        const prompt = singleGradingPrompt(prompts, q, turn, ["a", "b"]);
        expect(prompt.name.includes("math")).toBe(q.reference !== undefined);
        if (q.reference) expect(prompt.user).toContain(q.reference[turn - 1]);
      }
    }
  });
});

describe("reading a verdict", () => {
  it.each([
    ["Rating: [[7]]", 7],
    ["Good answer. Rating: [[8.5]]", 8.5],
    ["Rating: [9]", 9],
    ["[[6]] ... to be clear, Rating: [[6]]", 6],
  ])("reads the rating of %j", (reply, rating) => {
    expect(parseRating(reply)).toBe(rating);
  });

  it.each([
    ["Rating: good", "no rating"],
    ["Rating: [[11]]", "out of range"],
    ["Rating: [[0]]", "out of range"],
    ["First [[4]], on reflection [[7]]", "two different ratings"],
    ["", "empty"],
    ["It reads dp[1] before setting it; I would give it 7 out of 10.", "an index, not a rating"],
    ["As noted in [3], the answer is right. Score: 8/10", "a citation, not a rating"],
  ])("gives no rating for %j (%s): it is never guessed", (reply) => {
    expect(parseRating(reply)).toBeUndefined();
  });

  it("reads pairwise verdicts and refuses replies that name none or more than one", () => {
    expect(parsePairwiseVerdict("My final verdict: [[A]]")).toBe("A");
    expect(parsePairwiseVerdict("[[B]]")).toBe("B");
    expect(parsePairwiseVerdict("It is a tie: [[C]]")).toBe("tie");
    expect(parsePairwiseVerdict("Assistant A is better.")).toBeUndefined();
    expect(parsePairwiseVerdict("[[A]] or maybe [[B]]")).toBeUndefined();
  });
});
