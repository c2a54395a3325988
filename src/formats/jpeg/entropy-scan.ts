/**
 * The marker search inside entropy-coded data (ITU-T T.81 B.1.1.5 and F.1.2.3): after SOS, every
 * 0xFF the encoder writes is followed by 0x00 (byte stuffing), by RST0–7 (0xD0–0xD7), or by more
 * 0xFF (fill before a marker); the first 0xFF followed by anything else starts the next marker.
 *
 * A phone photo's scan holds ~15,000 stuffed 0xFF bytes: a `Buffer.indexOf` call per byte cost a
 * one-photo `traceless scan` 6–8 ms before its code was optimised. This runs the search as a tiny
 * WebAssembly function that tests 16 bytes per step (SIMD) and looks at a 0xFF's successor only
 * where there is one. The module is assembled here from its instructions (no binary blob to trust)
 * and compiled on first use; where WebAssembly SIMD is unavailable, a plain loop gives the same
 * answers. test/formats/jpeg/entropy-scan.test.ts compares both with a byte-by-byte search.
 */

/** Bytes the scanner copies or reads at a time: a window that stays in the CPU's L2 cache. */
export const scanWindowBytes = 64 * 1024;
/** v128.load reads 16 bytes at any offset below the window's end: the memory has this much slack. */
const loadSlackBytes = 16;
const wasmPageBytes = 64 * 1024;

/** A search over one window: `window` is memory the caller fills (or reads a file into) before `find`. */
export interface EntropyScanner {
  /** Scratch memory of `scanWindowBytes`; its content is valid until the next fill. */
  readonly window: Buffer;
  /** The offset in `window` of the first marker 0xFF with its successor at an offset below `end`, or -1. */
  find(start: number, end: number): number;
}

/** WebAssembly opcodes used below (WebAssembly Core Specification 2.0, section 5.4; SIMD: 0xFD prefix). */
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  i32Load8U: 0x2d,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Ctz: 0x68,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Or: 0x72,
  simd: 0xfd,
  v128Load: 0x00,
  i8x16Splat: 0x0f,
  i8x16Eq: 0x23,
  i8x16Bitmask: 0x64,
  voidBlock: 0x40,
  i32: 0x7f,
  v128: 0x7b,
} as const;

function leb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

function sleb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  while (true) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}

const section = (id: number, content: number[]) => [id, ...leb128(content.length), ...content];
const vector = (items: number[][]) => [...leb128(items.length), ...items.flat()];
const name = (text: string) => [...leb128(text.length), ...Buffer.from(text, 'latin1')];

/** The module: `find(start, end) -> i32` over its exported memory. */
function scannerModule(memoryPages: number): Uint8Array<ArrayBuffer> {
  // Locals after the two parameters (start = 0, end = 1).
  const i = 2;
  const mask = 3;
  const k = 4;
  const next = 5;
  const allFF = 6;
  const get = (local: number) => [op.localGet, local];
  const set = (local: number) => [op.localSet, local];
  const constant = (value: number) => [op.i32Const, ...sleb128(value)];
  const simd = (code: number) => [op.simd, ...leb128(code)];
  /** Pushes end - 1: the last offset whose successor is inside the window. */
  const lastWithSuccessor = [...get(1), ...constant(1), op.i32Sub];
  const body = [
    ...constant(0xff), ...simd(op.i8x16Splat), ...set(allFF),
    ...get(0), ...set(i),
    op.block, op.voidBlock,
    op.loop, op.voidBlock,
    // while (i < end - 1)
    ...get(i), ...lastWithSuccessor, op.i32GeU, op.brIf, 1,
    // mask = bitmask(load16(i) == 0xFF…)
    ...get(i), ...simd(op.v128Load), 0, 0, ...get(allFF), ...simd(op.i8x16Eq), ...simd(op.i8x16Bitmask), ...set(mask),
    op.block, op.voidBlock,
    op.loop, op.voidBlock,
    ...get(mask), op.i32Eqz, op.brIf, 1,
    // k = i + lowest set bit
    ...get(i), ...get(mask), op.i32Ctz, op.i32Add, ...set(k),
    // No successor inside the window: the caller goes on in the next window (which overlaps by one byte).
    ...get(k), ...lastWithSuccessor, op.i32GeU, op.if, op.voidBlock, ...constant(-1), op.return, op.end,
    // next = byte after k; a marker unless 0x00, 0xFF or 0xD0–0xD7
    ...get(k), op.i32Load8U, 0, 1, ...set(next),
    ...get(next), op.i32Eqz,
    ...get(next), ...constant(0xff), op.i32Eq, op.i32Or,
    ...get(next), ...constant(0xd0), op.i32Sub, ...constant(8), op.i32LtU, op.i32Or,
    op.i32Eqz, op.if, op.voidBlock, ...get(k), op.return, op.end,
    // mask &= mask - 1 (the next 0xFF of these 16 bytes)
    ...get(mask), ...get(mask), ...constant(1), op.i32Sub, op.i32And, ...set(mask),
    op.br, 0,
    op.end,
    op.end,
    ...get(i), ...constant(16), op.i32Add, ...set(i),
    op.br, 0,
    op.end,
    op.end,
    ...constant(-1),
    op.end,
  ];
  const locals = vector([[4, op.i32], [1, op.v128]]);
  const code = [...locals, ...body];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, 2, op.i32, op.i32, 1, op.i32]])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x00, ...leb128(memoryPages)]])),
    ...section(7, vector([[...name('find'), 0x00, 0], [...name('memory'), 0x02, 0]])),
    ...section(10, vector([[...leb128(code.length), ...code]])),
  ]);
}

/** The same search in plain JavaScript (no WebAssembly SIMD here): one `indexOf` per 0xFF. */
function plainScanner(): EntropyScanner {
  const window = Buffer.alloc(scanWindowBytes + loadSlackBytes);
  return {
    window: window.subarray(0, scanWindowBytes),
    find(start, end) {
      let index = window.indexOf(0xff, start);
      while (index !== -1 && index + 1 < end) {
        const next = window[index + 1]!;
        if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return index;
        index = window.indexOf(0xff, index + 1);
      }
      return -1;
    },
  };
}

function wasmScanner(): EntropyScanner | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  try {
    const pages = Math.ceil((scanWindowBytes + loadSlackBytes) / wasmPageBytes);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(scannerModule(pages)));
    const memory = instance.exports['memory'] as WebAssembly.Memory;
    const find = instance.exports['find'] as (start: number, end: number) => number;
    const window = Buffer.from(memory.buffer, 0, scanWindowBytes);
    return {
      window,
      find: (start, end) => (end - start < 2 ? -1 : find(start, end)),
    };
  } catch {
    // No SIMD in this engine (or WebAssembly disabled): the plain search gives the same answers.
    return undefined;
  }
}

let shared: EntropyScanner | undefined;

/** The scanner of this thread (the memory is reused by every search; searches do not nest). */
export function entropyScanner(): EntropyScanner {
  shared ??= wasmScanner() ?? plainScanner();
  return shared;
}

/** For tests: both implementations, to compare. */
export const scannersForTests = { wasm: wasmScanner, plain: plainScanner };
