/**
 * The demo tokenizer and text encoder.
 *
 * Tokenizer: the generator's byte-level BPE, trained on its usual corpus plus every attribute word
 * (demo-attributes.ts) at a high weight, until no pair is left to merge: every corpus word, and so
 * every attribute word, is then one token (`<word></w>`). `demoTokenizer` checks that with the
 * engine's own ClipTokenizer, so a word that would split is caught when the release is generated.
 *
 * Text encoder: `input_ids` int32 [B, 77] → `last_hidden_state` [B, 77, W] is a lookup in a
 * [vocab, W] table whose row for an attribute word's token is that attribute's one-hot (English and
 * French synonyms share the row's dimension) and whose other rows are zero; `pooler_output` [B, W]
 * is the maximum over the sequence: the prompt's attributes.
 */
import { ClipTokenizer } from '../../engine/tokenizer/clip-tokenizer';
import { GraphBuilder } from '../onnx/graph-builder';
import type { ModelMessage } from '../onnx/onnx-proto';
import { gather } from '../onnx/ops/tensor-shape';
import type { WeightSink } from '../onnx/weight-sink';
import { tokenizerFiles, trainBpe, type BpeVocabulary } from '../tokenizer/bpe-trainer';
import { tokenizerCorpus } from '../tokenizer/tokenizer-corpus';
import { DEMO_TEXT_WIDTH, attributeWords } from './demo-attributes';
import { reduceMax } from './demo-ops';

export const SEQUENCE_LENGTH = 77;
/** Weight of attribute words in the BPE corpus (the base corpus uses 2 and 5): they merge first. */
const ATTRIBUTE_WORD_WEIGHT = 20;
/** More merges than the corpus can use: training stops when every word is a single token. */
const MAX_VOCABULARY = 20_000;

export interface DemoTokenizer {
  readonly bpe: BpeVocabulary;
  /** tokenizer/ files: vocab.json, merges.txt, special_tokens_map.json, tokenizer_config.json. */
  readonly files: Readonly<Record<string, string>>;
  readonly tokenizer: ClipTokenizer;
  /** Token id of each attribute word → the attribute dimensions it names. */
  readonly attributeTokens: ReadonlyMap<number, readonly number[]>;
}

let cached: DemoTokenizer | undefined;

/** Trains (once per process) and checks the demo tokenizer. */
export function demoTokenizer(): DemoTokenizer {
  if (cached) return cached;
  const words = attributeWords();
  const corpus = new Map<string, number>(tokenizerCorpus());
  for (const word of words.keys()) corpus.set(word, Math.max(corpus.get(word) ?? 0, ATTRIBUTE_WORD_WEIGHT));
  const entries = [...corpus.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const bpe = trainBpe(entries, MAX_VOCABULARY);
  const tokenizer = new ClipTokenizer({ vocab: bpe.vocab, merges: bpe.merges, maxLength: SEQUENCE_LENGTH });

  const attributeTokens = new Map<number, readonly number[]>();
  const split: string[] = [];
  for (const [word, dimensions] of words) {
    const encoded = tokenizer.encode(word);
    if (encoded.tokenCount !== 3) {
      split.push(word);
      continue;
    }
    const id = encoded.ids[1] as number;
    const previous = attributeTokens.get(id);
    if (previous && previous.join() !== dimensions.join()) throw new Error(`demo tokenizer: token ${id} stands for two attribute sets`);
    attributeTokens.set(id, dimensions);
  }
  if (split.length > 0) throw new Error(`demo tokenizer: attribute words that are not one token: ${split.join(', ')}`);
  cached = { bpe, files: tokenizerFiles(bpe, SEQUENCE_LENGTH), tokenizer, attributeTokens };
  return cached;
}

/** The [vocab, W] table: attribute rows one-hot, all others zero. */
export function attributeEmbedding(tokens: DemoTokenizer): Float32Array {
  const rows = tokens.bpe.vocab.size;
  const table = new Float32Array(rows * DEMO_TEXT_WIDTH);
  for (const [id, dimensions] of tokens.attributeTokens) for (const d of dimensions) table[id * DEMO_TEXT_WIDTH + d] = 1;
  return table;
}

export function buildDemoTextEncoder(tokens: DemoTokenizer, weights?: WeightSink): ModelMessage {
  const g = new GraphBuilder('text_encoder', weights);
  const ids = g.input('input_ids', 'int32', ['batch', SEQUENCE_LENGTH]);
  const table = g.initializer('text_model.embeddings.token_embedding.weight', 'float32', [tokens.bpe.vocab.size, DEMO_TEXT_WIDTH], attributeEmbedding(tokens));
  const hidden = g.output(gather(g, table, ids), 'last_hidden_state');
  g.output(reduceMax(g, hidden, [1], false), 'pooler_output');
  return g.build({ component: 'text_encoder', demo: 'attribute one-hot per token; pooler_output = max over the sequence' });
}
