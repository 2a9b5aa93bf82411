import type { GgufTensor } from "./gguf-writer.js";
import { generatedTensor, uniformNoise, type RowFill } from "./generated-tensor.js";

/** The shape of a Qwen2 transformer. */
export interface Qwen2Shape {
  /** Transformer blocks. */
  readonly layers: number;
  /** Width of the residual stream. */
  readonly embeddingLength: number;
  /** Attention (query) heads; must divide `embeddingLength`. */
  readonly headCount: number;
  /** Key/value heads (grouped-query attention); must divide `headCount`. */
  readonly headCountKv: number;
  /** Hidden width of each feed-forward block. */
  readonly feedForwardLength: number;
  /** Tokens in the vocabulary (rows of the embedding matrix). */
  readonly vocabularySize: number;
  /** Whether the output projection reuses the token embeddings (no `output.weight`), as Qwen2.5-0.5B does. */
  readonly tiedOutput: boolean;
}

/** Typical spread of a token's logit around its prior, from the context (in nats, at temperature 1). */
const CONTEXT_LOGIT_STD = 2;
/** Logit, relative to an average text token, of tokens that should never be generated (fillers, unused bytes). */
const SUPPRESSED_LOGIT = -60;
/**
 * RMS the blocks give the residual stream. Large next to the token embeddings, so that the embedding of
 * the last token (with tied output, also its output row) barely shows in the final state: otherwise the
 * model mostly repeats its last token.
 */
const RESIDUAL_RMS = 16;
/** Share of the blocks' variance that comes from attention (its output varies with how it attends; the feed-forward's is steadier). */
const ATTENTION_SHARE = 0.25;
/** Spread of query and key weights (times 1/sqrt(width)): attention scores of spread ~3 attend to a few tokens, not evenly to all. */
const QK_GAIN = 1.8;
/** Spread of the query/key biases (Qwen2 has them). */
const QK_BIAS_STD = 0.3;
/** RMS of a feed-forward hidden unit, silu(gate) * up, with unit-variance gate and up. */
const FFN_HIDDEN_RMS = 0.6;
/** RMS of an attention output before projection: an average of a few unit-variance values. */
const ATTENTION_VALUE_RMS = 0.6;

/**
 * The tensors of a random Qwen2 model, with weights in the given type (norms and biases stay F32, as
 * in real quantized files).
 *
 * Plain random weights make a model that, sampled, mostly picks filler tokens (most of a realistic
 * vocabulary) or always the same few tokens. So the weights are random with one planted structure, a
 * "prior channel": residual dimension 0 carries a constant, written once (from a value bias of the last
 * block) and read by no block (the attention and feed-forward norms zero it); each token's output row
 * holds its log-prior in that dimension. The final logits are then that prior plus a context
 * dependent random term of about {@link CONTEXT_LOGIT_STD}, whatever the shape.
 */
export function qwen2Tensors(shape: Qwen2Shape, type: "F32" | "Q8_0", seed: number, logPrior: Float64Array): GgufTensor[] {
  const { layers, embeddingLength: width, headCount, headCountKv, feedForwardLength: ffn, vocabularySize } = shape;
  if (width % headCount !== 0 || headCount % headCountKv !== 0) throw new Error("headCount must divide embeddingLength and headCountKv must divide headCount");
  if (logPrior.length !== vocabularySize) throw new Error(`logPrior has ${logPrior.length} entries for ${vocabularySize} tokens`);
  const headSize = width / headCount;
  const kvWidth = headCountKv * headSize;
  const inputStd = 1 / Math.sqrt(width);

  // RMSNorm scales the final residual to norm sqrt(width); sizing the constant like the rest of the
  // stream puts about half of that norm in dimension 0, so both logit terms get a known scale.
  const half = Math.sqrt(width / 2);
  const embeddingStd = CONTEXT_LOGIT_STD / half;
  const channelConstant = RESIDUAL_RMS * Math.sqrt(width - 1);
  const blockRms = RESIDUAL_RMS / Math.sqrt(layers * (1 + ATTENTION_SHARE));
  const attentionOutputStd = (Math.sqrt(ATTENTION_SHARE) * blockRms) / (ATTENTION_VALUE_RMS * Math.sqrt(width));
  const ffnDownStd = blockRms / (FFN_HIDDEN_RMS * Math.sqrt(ffn));
  const qkStd = QK_GAIN * inputStd;

  const generatable = logPrior.filter((p) => p > Number.NEGATIVE_INFINITY).length;
  const priorRow: RowFill = (token, values, random) => {
    uniformNoise(values, embeddingStd, random, 1);
    const prior = logPrior[token] ?? Number.NEGATIVE_INFINITY;
    const logit = prior === Number.NEGATIVE_INFINITY ? SUPPRESSED_LOGIT : prior + Math.log(generatable);
    values[0] = logit / half;
  };
  const plainRow: RowFill = (_token, values, random) => uniformNoise(values, embeddingStd, random, 1);
  const noise = (std: number): RowFill => (_row, values, random) => uniformNoise(values, std, random);
  const normWeights: RowFill = (_row, values) => {
    values.fill(1);
    values[0] = 0;
  };
  const tensor = (name: string, dims: number[], fill: RowFill) => generatedTensor(name, dims.length === 1 ? "F32" : type, dims, seed, fill);

  const tensors: GgufTensor[] = [tensor("token_embd.weight", [width, vocabularySize], shape.tiedOutput ? priorRow : plainRow)];
  for (let layer = 0; layer < layers; layer++) {
    const block = `blk.${layer}`;
    const last = layer === layers - 1;
    tensors.push(
      tensor(`${block}.attn_norm.weight`, [width], normWeights),
      tensor(`${block}.attn_q.weight`, [width, width], noise(qkStd)),
      tensor(`${block}.attn_q.bias`, [width], noise(QK_BIAS_STD)),
      tensor(`${block}.attn_k.weight`, [width, kvWidth], noise(qkStd)),
      tensor(`${block}.attn_k.bias`, [kvWidth], noise(QK_BIAS_STD)),
      // Value dimension 0 of every head is the bias alone: a constant, whatever the attention weights.
      tensor(`${block}.attn_v.weight`, [width, kvWidth], (row, values, random) => {
        if (row % headSize !== 0) uniformNoise(values, inputStd, random);
      }),
      tensor(`${block}.attn_v.bias`, [kvWidth], (_row, values) => {
        if (last) for (let i = 0; i < kvWidth; i += headSize) values[i] = channelConstant;
      }),
      // Output row 0 averages those constants into residual dimension 0; no other row reads them.
      tensor(`${block}.attn_output.weight`, [width, width], (row, values, random) => {
        if (row === 0) for (let i = 0; i < width; i += headSize) values[i] = 1 / headCount;
        else {
          uniformNoise(values, attentionOutputStd, random);
          for (let i = 0; i < width; i += headSize) values[i] = 0;
        }
      }),
      tensor(`${block}.ffn_norm.weight`, [width], normWeights),
      tensor(`${block}.ffn_gate.weight`, [width, ffn], noise(inputStd)),
      tensor(`${block}.ffn_up.weight`, [width, ffn], noise(inputStd)),
      tensor(`${block}.ffn_down.weight`, [ffn, width], (row, values, random) => {
        if (row !== 0) uniformNoise(values, ffnDownStd, random);
      }),
    );
  }
  tensors.push(tensor("output_norm.weight", [width], (_row, values) => values.fill(1)));
  if (!shape.tiedOutput) tensors.push(tensor("output.weight", [width, vocabularySize], priorRow));
  return tensors;
}
