/**
 * Texts of a given length for the token-count benchmark and tests: English-like prose (many short words, the
 * encoder's common case) and base64 of random bytes (long runs without spaces, its hard one).
 */
import { seeded } from "./seeded-random.js";

const VOCABULARY =
  "the of and to in is that for it as was with be by on not this are or from at which but have an they were there been one all their has would when if will more what up out into can other some time only could new these may first any then like now such made over even most after also many before must through back years where much way well down should because each just those people how little state good very make world still own see work long here both between life being under never day same another know while last might great old year off come since against right used take three".split(
    " ",
  );

/** `chars` characters of English-like prose: sentences of common words, different for each `seed`. */
export function prose(chars: number, seed: number): string {
  const random = seeded(seed);
  const parts = [`Document ${seed}.`];
  let length = parts[0]?.length ?? 0;
  while (length < chars) {
    const words = Array.from({ length: 6 + Math.floor(random() * 14) }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)] as string);
    const first = words[0] as string;
    const sentence = ` ${first[0]?.toUpperCase()}${first.slice(1)} ${words.slice(1).join(" ")}.${random() < 0.1 ? "\n\n" : ""}`;
    parts.push(sentence);
    length += sentence.length;
  }
  return parts.join("").slice(0, chars);
}

/** `chars` characters of base64 of random bytes, different for each `seed`. */
export function base64(chars: number, seed: number): string {
  const random = seeded(seed);
  const bytes = Buffer.alloc(Math.ceil((chars * 3) / 4) + 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes.toString("base64").slice(0, chars);
}
