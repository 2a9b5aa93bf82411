import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { cosineSimilarity } from "@langchain/core/utils/math";
import { sentenceBleu } from "./bleu.js";

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
 * Throws what a user's function or `Embeddings` throws, and a `RangeError` for a score outside -1..1.
 */
export async function similarityMatrix(texts: readonly string[], similarity: Similarity): Promise<number[][]> {
  const n = texts.length;
  const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const pairs = await pairScores(texts, similarity);
  for (const { i, j, score } of pairs) {
    if (!Number.isFinite(score) || score < -1 || score > 1) throw new RangeError(`similarity must return a number from 0 to 1 (a cosine from -1); got ${score} for answers ${i + 1} and ${j + 1}`);
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
    return pairs.map(({ i, j }) => ({ i, j, score: (sentenceBleu(texts[i] as string, texts[j] as string) + sentenceBleu(texts[j] as string, texts[i] as string)) / 2 }));
  }
  if (typeof similarity === "function") {
    return Promise.all(pairs.map(async ({ i, j }) => ({ i, j, score: await similarity(texts[i] as string, texts[j] as string) })));
  }
  const vectors = await similarity.embedDocuments([...texts]);
  const cosine = cosineSimilarity(vectors, vectors);
  return pairs.map(({ i, j }) => ({ i, j, score: cosine[i]?.[j] ?? 0 }));
}
