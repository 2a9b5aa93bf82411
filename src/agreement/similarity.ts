import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { cosineSimilarity } from "@langchain/core/utils/math";
import { bleuText, sentenceBleu, type BleuText } from "./bleu.js";

/** How alike two answers are, from 0 (nothing in common) to 1 (the same), possibly asynchronously. */
export type SimilarityFunction = (a: string, b: string) => number | Promise<number>;

/**
 * How answers are compared, for early exit and voting:
 * - `"normalized_text"`: 1 when the texts are equal once normalized ({@link normalizeAnswer}), else 0;
 *   for closed questions whose answers are short (a number, a name, a choice).
 * - `"bleu"`: the mean of both directions' sentence BLEU, as "More Agents Is All You Need" (Li et al.
 *   2024, arXiv 2402.05120) compares answers to open questions.
 * - a LangChain `Embeddings` (e.g. `OpenAIEmbeddings`): the cosine similarity of the answers' embeddings,
 *   embedded in one `embedDocuments` call per layer.
 * - a function `(a, b) => number`, called once per pair of answers (`a` the earlier in proposer order).
 */
export type Similarity = "normalized_text" | "bleu" | EmbeddingsInterface | SimilarityFunction;

/** A {@link Similarity}'s name, for the trace: the built-in's name, `embeddings` or `function`. */
export function similarityName(similarity: Similarity): string {
  if (typeof similarity === "string") return similarity;
  return typeof similarity === "function" ? "function" : "embeddings";
}

/**
 * `text` as compared by `"normalized_text"`: Unicode-normalized (NFKC), lower-cased, with punctuation and
 * Markdown emphasis removed and whitespace collapsed, so that `"**Paris.**"` and `"paris"` are equal.
 */
export function normalizeAnswer(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[\p{P}\p{S}]+/gu, " ").replace(/\s+/g, " ").trim();
}

/**
 * The similarity of every pair of `texts`: a symmetric matrix with 1 on its diagonal.
 * Throws what a user's function or `Embeddings` throws, and a `RangeError` for a score that is not a
 * number from -1 to 1 or embeddings that are not one vector per text, all of one size.
 */
export async function similarityMatrix(texts: readonly string[], similarity: Similarity): Promise<number[][]> {
  const n = texts.length;
  const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const pairs = await pairScores(texts, similarity);
  for (const { i, j, score } of pairs) {
    if (typeof score !== "number" || !Number.isFinite(score) || score < -1 || score > 1) {
      throw new RangeError(`expected a number from 0 to 1 (a cosine from -1); got ${typeof score === "number" ? score : `${typeof score} ${JSON.stringify(score)}`} for answers ${i + 1} and ${j + 1}`);
    }
    (matrix[i] as number[])[j] = score;
    (matrix[j] as number[])[i] = score;
  }
  return matrix;
}

async function pairScores(texts: readonly string[], similarity: Similarity): Promise<Array<{ i: number; j: number; score: number }>> {
  const pairs = texts.flatMap((_, i) => texts.slice(i + 1).map((__, k) => ({ i, j: i + 1 + k })));
  if (similarity === "normalized_text") {
    const normalized = texts.map(normalizeAnswer);
    return pairs.map(({ i, j }) => ({ i, j, score: normalized[i] === normalized[j] ? 1 : 0 }));
  }
  if (similarity === "bleu") {
    const read = texts.map(bleuText);
    return pairs.map(({ i, j }) => ({ i, j, score: (sentenceBleu(read[i] as BleuText, read[j] as BleuText) + sentenceBleu(read[j] as BleuText, read[i] as BleuText)) / 2 }));
  }
  if (typeof similarity === "function") {
    return Promise.all(pairs.map(async ({ i, j }) => ({ i, j, score: await similarity(texts[i] as string, texts[j] as string) })));
  }
  const vectors = await similarity.embedDocuments([...texts]);
  const dimensions = new Set(vectors.map((vector) => (Array.isArray(vector) ? vector.length : -1)));
  if (vectors.length !== texts.length || dimensions.size !== 1 || dimensions.has(-1) || dimensions.has(0)) {
    throw new RangeError(`the Embeddings returned ${vectors.length} vectors of ${[...dimensions].join(", ")} dimensions for ${texts.length} texts; expected one vector each, all of one size`);
  }
  const cosine = cosineSimilarity(vectors, vectors);
  // Rounding can put the cosine of equal directions a hair above 1.
  return pairs.map(({ i, j }) => ({ i, j, score: Math.max(-1, Math.min(1, cosine[i]?.[j] ?? 0)) }));
}
