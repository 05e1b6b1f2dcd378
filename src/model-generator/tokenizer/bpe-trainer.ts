/**
 * Learns a byte-level BPE vocabulary in CLIP's format from a small weighted word list.
 *
 * Layout, as in CLIP: ids 0..255 are the byte symbols in CLIP's order, 256..511 the same with
 * `</w>` (end of word), then one id per merge in merge order, then `<|startoftext|>` and
 * `<|endoftext|>` last.
 * Deterministic: ties between equally frequent pairs break on the pair's text.
 */
import { CLIP_BASE_SYMBOLS, textToByteSymbols } from '../../engine/tokenizer/byte-unicode';

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
const END_OF_WORD = '</w>';

export interface BpeVocabulary {
  /** token → id, ids contiguous from 0. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in priority order, each "left right". */
  readonly merges: readonly string[];
}

export function trainBpe(corpus: ReadonlyArray<readonly [string, number]>, maxVocabSize: number): BpeVocabulary {
  const baseSymbols = [...CLIP_BASE_SYMBOLS, ...CLIP_BASE_SYMBOLS.map((s) => s + END_OF_WORD)];
  const maxMerges = maxVocabSize - baseSymbols.length - 2;
  if (maxMerges < 0) throw new Error(`vocabulary size ${maxVocabSize} is below ${baseSymbols.length + 2}`);

  const words = corpus.map(([word, weight]) => {
    const symbols = textToByteSymbols(word.toLowerCase());
    symbols[symbols.length - 1] += END_OF_WORD;
    return { symbols, weight };
  });
  const merges: string[] = [];
  while (merges.length < maxMerges) {
    const best = mostFrequentPair(words);
    if (!best) break;
    merges.push(best);
    const [left, right] = best.split(' ') as [string, string];
    for (const word of words) word.symbols = applyMerge(word.symbols, left, right);
  }

  const tokens = [...baseSymbols, ...merges.map((m) => m.replace(' ', '')), START_OF_TEXT, END_OF_TEXT];
  return { vocab: new Map(tokens.map((t, id) => [t, id])), merges };
}

function mostFrequentPair(words: ReadonlyArray<{ symbols: string[]; weight: number }>): string | undefined {
  const counts = new Map<string, number>();
  for (const { symbols, weight } of words) {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const pair = `${symbols[i]} ${symbols[i + 1]}`;
      counts.set(pair, (counts.get(pair) ?? 0) + weight);
    }
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [pair, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && pair < best)) {
      best = pair;
      bestCount = count;
    }
  }
  return best;
}

function applyMerge(symbols: string[], left: string, right: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === left && symbols[i + 1] === right) {
      out.push(left + right);
      i++;
    } else {
      out.push(symbols[i] as string);
    }
  }
  return out;
}

/** The four files of a Hugging Face CLIPTokenizer directory. */
export function tokenizerFiles(bpe: BpeVocabulary, maxLength: number): Record<string, string> {
  const special = { bos_token: START_OF_TEXT, eos_token: END_OF_TEXT, pad_token: END_OF_TEXT, unk_token: END_OF_TEXT };
  return {
    'vocab.json': JSON.stringify(Object.fromEntries(bpe.vocab)),
    'merges.txt': ['#version: 0.2', ...bpe.merges].join('\n') + '\n',
    'special_tokens_map.json': JSON.stringify(special, null, 2) + '\n',
    'tokenizer_config.json':
      JSON.stringify(
        { ...special, tokenizer_class: 'CLIPTokenizer', model_max_length: maxLength, do_lower_case: true, add_prefix_space: false, errors: 'replace' },
        null,
        2,
      ) + '\n',
  };
}
