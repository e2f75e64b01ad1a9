// `npm run fixture`: writes the test models to test/fixtures/generated/.
//   tiny.gguf          a real GGUF v3 (llama architecture, random F32 weights, deterministic seed) with a byte
//                      vocabulary, printable ASCII, FIM tokens and ChatML tokens; about 0.5 MB
//   no-fim.gguf        the same model without FIM tokens (completions must refuse it with a message)
//   truncated.gguf     tiny.gguf cut short (tensor data missing)
//   corrupt.gguf       tiny.gguf with a broken magic number
//   missing-key.gguf   a llama model without llama.attention.head_count (llama.cpp would GGML_ASSERT on it)
// The output layer is biased toward printable ASCII so greedy decoding writes visible text instead of
// end-of-generation or control tokens; tests must still not depend on the exact text.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from './seeded-random';

const OUT_DIR = join(import.meta.dirname, '..', 'test', 'fixtures', 'generated');
const SEED = 0x7a11d3;

const EMBED = 64;
const HEADS = 4;
const LAYERS = 2;
const FFN = 128;
const CONTEXT = 4096;

// GGUF value types.
const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

type Value =
  | { type: 'u32' | 'i32' | 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: string[] }
  | { type: 'i32s' | 'f32s'; value: number[] };


class Writer {
  private chunks: Buffer[] = [];
  length = 0;
  push(buf: Buffer): void {
    this.chunks.push(buf);
    this.length += buf.length;
  }
  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.push(b);
  }
  i32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.push(b);
  }
  f32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(n);
    this.push(b);
  }
  u64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.push(b);
  }
  str(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  pad(alignment: number): void {
    const rest = this.length % alignment;
    if (rest) this.push(Buffer.alloc(alignment - rest));
  }
  value(v: Value): void {
    switch (v.type) {
      case 'u32': this.u32(T.u32); this.u32(v.value); break;
      case 'i32': this.u32(T.i32); this.i32(v.value); break;
      case 'f32': this.u32(T.f32); this.f32(v.value); break;
      case 'bool': this.u32(T.bool); this.push(Buffer.from([v.value ? 1 : 0])); break;
      case 'string': this.u32(T.string); this.str(v.value); break;
      case 'strings':
        this.u32(T.array); this.u32(T.string); this.u64(v.value.length);
        for (const s of v.value) this.str(s);
        break;
      case 'i32s':
        this.u32(T.array); this.u32(T.i32); this.u64(v.value.length);
        for (const n of v.value) this.i32(n);
        break;
      case 'f32s':
        this.u32(T.array); this.u32(T.f32); this.u64(v.value.length);
        for (const n of v.value) this.f32(n);
        break;
    }
  }
  result(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

interface Tensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

interface Vocab {
  tokens: string[];
  types: number[];
  /** Output-layer bias per token: printable text high, control and byte tokens low. */
  bias: number[];
  ids: Record<string, number>;
}

function buildVocab(withFim: boolean): Vocab {
  const tokens: string[] = [];
  const types: number[] = [];
  const bias: number[] = [];
  const ids: Record<string, number> = {};
  const add = (text: string, type: number, b: number): void => {
    ids[text] = tokens.length;
    tokens.push(text);
    types.push(type);
    bias.push(b);
  };
  add('<unk>', 2, -4);
  add('<s>', 3, -4);
  add('</s>', 3, -4);
  for (let b = 0; b < 256; b++) {
    const hex = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
    // A newline now and then gives multi-line completions; other raw bytes never.
    add(hex, 6, b === 0x0a ? 2.4 : -4);
  }
  add('\u2581', 1, 2.6); // SentencePiece space
  for (let c = 33; c < 127; c++) {
    const ch = String.fromCharCode(c);
    const letter = /[a-z]/.test(ch) ? 3.2 : /[A-Z0-9_]/.test(ch) ? 2.6 : 1.8;
    add(ch, 1, letter);
  }
  const special = withFim
    ? ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|file_sep|>']
    : ['<|reserved_0|>', '<|reserved_1|>', '<|reserved_2|>', '<|reserved_3|>', '<|reserved_4|>'];
  for (const s of [...special, '<|im_start|>', '<|im_end|>', '<|endoftext|>']) add(s, 3, -4);
  return { tokens, types, bias, ids };
}

function buildTensors(vocab: Vocab, random: () => number): Tensor[] {
  const gauss = (): number => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const V = vocab.tokens.length;
  const matrix = (name: string, cols: number, rows: number, scale: number): Tensor => {
    const data = new Float32Array(cols * rows);
    for (let i = 0; i < data.length; i++) data[i] = gauss() * scale;
    return { name, dims: [cols, rows], data };
  };
  const ones = (name: string, n: number): Tensor => ({ name, dims: [n], data: new Float32Array(n).fill(1) });

  // Dimension 0 of every embedding is a large constant: it survives the (small) layers and the final norm,
  // so row 0 of the output layer acts as a per-token bias.
  const embd = matrix('token_embd.weight', EMBED, V, 1);
  for (let v = 0; v < V; v++) embd.data[v * EMBED] = 4;
  const tensors: Tensor[] = [embd];
  for (let l = 0; l < LAYERS; l++) {
    tensors.push(
      ones(`blk.${l}.attn_norm.weight`, EMBED),
      matrix(`blk.${l}.attn_q.weight`, EMBED, EMBED, 0.15),
      matrix(`blk.${l}.attn_k.weight`, EMBED, EMBED, 0.15),
      matrix(`blk.${l}.attn_v.weight`, EMBED, EMBED, 0.05),
      matrix(`blk.${l}.attn_output.weight`, EMBED, EMBED, 0.05),
      ones(`blk.${l}.ffn_norm.weight`, EMBED),
      matrix(`blk.${l}.ffn_gate.weight`, EMBED, FFN, 0.1),
      matrix(`blk.${l}.ffn_up.weight`, EMBED, FFN, 0.1),
      matrix(`blk.${l}.ffn_down.weight`, FFN, EMBED, 0.05),
    );
  }
  tensors.push(ones('output_norm.weight', EMBED));
  const output = matrix('output.weight', EMBED, V, 0.35);
  for (let v = 0; v < V; v++) output.data[v * EMBED] = vocab.bias[v];
  tensors.push(output);
  return tensors;
}

const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

function writeModel(options: { withFim: boolean; omitHeadCount?: boolean }): Buffer {
  const vocab = buildVocab(options.withFim);
  const tensors = buildTensors(vocab, mulberry32(SEED));
  const kv: [string, Value][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: options.withFim ? 'tandem-tiny' : 'tandem-tiny-nofim' }],
    ['general.alignment', { type: 'u32', value: 32 }],
    ['llama.context_length', { type: 'u32', value: CONTEXT }],
    ['llama.embedding_length', { type: 'u32', value: EMBED }],
    ['llama.block_count', { type: 'u32', value: LAYERS }],
    ['llama.feed_forward_length', { type: 'u32', value: FFN }],
    ['llama.attention.head_count', { type: 'u32', value: HEADS }],
    ['llama.attention.head_count_kv', { type: 'u32', value: HEADS }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'strings', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'f32s', value: vocab.tokens.map(() => 0) }],
    ['tokenizer.ggml.token_type', { type: 'i32s', value: vocab.types }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: vocab.ids['<s>'] }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: vocab.ids['<|endoftext|>'] }],
    ['tokenizer.ggml.eot_token_id', { type: 'u32', value: vocab.ids['<|im_end|>'] }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: vocab.ids['<unk>'] }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }],
  ];
  if (options.withFim) {
    kv.push(
      ['tokenizer.ggml.fim_pre_token_id', { type: 'u32', value: vocab.ids['<|fim_prefix|>'] }],
      ['tokenizer.ggml.fim_suf_token_id', { type: 'u32', value: vocab.ids['<|fim_suffix|>'] }],
      ['tokenizer.ggml.fim_mid_token_id', { type: 'u32', value: vocab.ids['<|fim_middle|>'] }],
      ['tokenizer.ggml.fim_pad_token_id', { type: 'u32', value: vocab.ids['<|fim_pad|>'] }],
      ['tokenizer.ggml.fim_sep_token_id', { type: 'u32', value: vocab.ids['<|file_sep|>'] }],
    );
  }
  const header = options.omitHeadCount ? kv.filter(([key]) => key !== 'llama.attention.head_count') : kv;

  const w = new Writer();
  w.push(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(header.length);
  for (const [key, value] of header) {
    w.str(key);
    w.value(value);
  }
  let offset = 0;
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(0); // F32
    w.u64(offset);
    offset += Math.ceil((t.data.length * 4) / 32) * 32;
  }
  w.pad(32);
  for (const t of tensors) {
    w.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    w.pad(32);
  }
  return w.result();
}

mkdirSync(OUT_DIR, { recursive: true });
const tiny = writeModel({ withFim: true });
const outputs: Record<string, Buffer> = {
  'tiny.gguf': tiny,
  'no-fim.gguf': writeModel({ withFim: false }),
  'truncated.gguf': tiny.subarray(0, Math.floor(tiny.length * 0.6)),
  'corrupt.gguf': Buffer.concat([Buffer.from('GGUX', 'ascii'), tiny.subarray(4, 4096)]),
  'missing-key.gguf': writeModel({ withFim: true, omitHeadCount: true }),
};
for (const [name, data] of Object.entries(outputs)) {
  const target = join(OUT_DIR, name);
  // An engine may have the model mapped: rewriting it in place would crash that engine (SIGBUS). Leave an
  // identical file alone, and replace a different one by rename so the mapped inode stays intact.
  if (existsSync(target) && readFileSync(target).equals(data)) continue;
  writeFileSync(`${target}.tmp`, data);
  renameSync(`${target}.tmp`, target);
  console.log(`fixture: ${join('test/fixtures/generated', name)} (${data.length} bytes)`);
}
