/**
 * The GIF structures traceless keeps besides image data, parsed into their defined fields and
 * written back from those fields only: the header and logical screen descriptor, image
 * descriptors (reserved bits cleared), graphic control extensions (exactly 4 data bytes, reserved
 * bits cleared) and the NETSCAPE2.0/ANIMEXTS1.0 looping extension (the loop count, nothing else).
 * Colour tables are written by `analyse.ts` (unused entries zeroed); LZW data is copied.
 * Reference: GIF89a Specification sections 17 (header), 18 (logical screen descriptor), 20 (image
 * descriptor), 23 (graphic control extension), 26 (application extension); the NETSCAPE2.0
 * looping extension as documented by Netscape Navigator 2.0 and every browser since.
 */
export const headerBytes = 6;
export const screenDescriptorBytes = 7;
export const imageDescriptorBytes = 10;
const imageDescriptorPackedOffset = 9;
/** Image descriptor packed field: local table flag, interlace, sort, 2 reserved bits (0x18), table size. */
const imageDescriptorReservedBits = 0x18;

export const graphicControlDataBytes = 4;
/** Graphic control packed field: 3 reserved bits (0xE0), disposal, user input, transparency. */
const graphicControlReservedBits = 0xe0;

export const extensionIntroducer = 0x21;
export const imageSeparator = 0x2c;
export const trailerByte = 0x3b;
export const graphicControlLabel = 0xf9;
export const applicationLabel = 0xff;
export const applicationIdBytes = 11;
/** The looping sub-block: id 1, then the loop count (0 = forever), little-endian. */
const loopingSubBlockId = 1;
const loopingSubBlockBytes = 3;

export function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0;
}

/** Header and logical screen descriptor: every field is defined, so all 13 bytes are written back. */
export function writeHead(version: string, screenDescriptor: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`GIF${version}`, 'latin1'), Buffer.from(screenDescriptor.subarray(0, screenDescriptorBytes))]);
}

export interface ImageDescriptor {
  /** The 10 stored bytes. */
  stored: Buffer;
  reservedBitsSet: boolean;
}

/** Parses a descriptor; the bytes are copied, since a file source reuses its read window. */
export function parseImageDescriptor(stored: Buffer): ImageDescriptor {
  return { stored: Buffer.from(stored), reservedBitsSet: (stored[imageDescriptorPackedOffset]! & imageDescriptorReservedBits) !== 0 };
}

export function writeImageDescriptor(descriptor: ImageDescriptor): Buffer {
  const written = Buffer.from(descriptor.stored.subarray(0, imageDescriptorBytes));
  written[imageDescriptorPackedOffset] = written[imageDescriptorPackedOffset]! & ~imageDescriptorReservedBits;
  return written;
}

export interface GraphicControl {
  packed: number;
  delayCentiseconds: number;
  transparentIndex: number;
  reservedBitsSet: boolean;
}

/** Parses the first `graphicControlDataBytes` of a graphic control extension's first sub-block. */
export function parseGraphicControl(data: Buffer): GraphicControl {
  const packed = data[0]!;
  return {
    packed: packed & ~graphicControlReservedBits,
    delayCentiseconds: data.readUInt16LE(1),
    transparentIndex: data[3]!,
    reservedBitsSet: (packed & graphicControlReservedBits) !== 0,
  };
}

export function writeGraphicControl(control: GraphicControl): Buffer {
  const written = Buffer.from([extensionIntroducer, graphicControlLabel, graphicControlDataBytes, control.packed, 0, 0, control.transparentIndex, 0]);
  written.writeUInt16LE(control.delayCentiseconds, 4);
  return written;
}

/** Finds the loop count in the sub-blocks of a looping extension (after its identifier). */
export function loopCountOf(subBlocks: Buffer[]): number | undefined {
  const looping = subBlocks.find((block) => block.length === loopingSubBlockBytes && block[0] === loopingSubBlockId);
  return looping?.readUInt16LE(1);
}

/** A looping extension holding only the loop count, under its own identifier. */
export function writeLoopingExtension(appId: string, loopCount: number): Buffer {
  const written = Buffer.concat([
    Buffer.from([extensionIntroducer, applicationLabel, applicationIdBytes]), Buffer.from(appId, 'latin1'),
    Buffer.from([loopingSubBlockBytes, loopingSubBlockId, 0, 0, 0]),
  ]);
  written.writeUInt16LE(loopCount, 3 + applicationIdBytes + 2);
  return written;
}
