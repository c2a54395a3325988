/**
 * The item data of derived images that is a descriptor, not coded data: the image grid (`grid`)
 * and the overlay (`iovl`). Both are re-emitted from their parsed fields, so nothing can hide after
 * them; an identity item (`iden`) has no data at all.
 * References: ISO/IEC 23008-12:2022 sections 6.6.2.3 (ImageGrid) and 6.6.2.2 (ImageOverlay).
 */
import { TracelessError } from '../../errors.js';
import { Cursor, Writer } from './cursor.js';

/** flags bit 0 of grid and iovl: output sizes (and overlay offsets) are 32-bit. */
const largeFieldsFlag = 1;

export interface Descriptor {
  data: Buffer;
  droppedBytes: number;
}

/** ImageGrid: version 0, flags, rows_minus_one, columns_minus_one, output_width, output_height. */
export function emitGrid(bytes: Buffer, where: string): Descriptor {
  const cursor = new Cursor(bytes, where);
  const version = cursor.u8('version');
  if (version !== 0) throw new TracelessError('UNSUPPORTED_FORMAT', `${where}: grid version ${version} is not one traceless knows`);
  const flags = cursor.u8('flags') & largeFieldsFlag;
  const fieldBytes = flags ? 4 : 2;
  const writer = new Writer().uint(1, 0).uint(1, flags).uint(1, cursor.u8('rows_minus_one')).uint(1, cursor.u8('columns_minus_one'));
  writer.uint(fieldBytes, cursor.uint(fieldBytes, 'output_width')).uint(fieldBytes, cursor.uint(fieldBytes, 'output_height'));
  return { data: writer.toBuffer(), droppedBytes: cursor.remaining };
}

/** ImageOverlay: version 0, flags, canvas_fill_value[4], output size, then one offset pair per input image. */
export function emitOverlay(bytes: Buffer, inputCount: number, where: string): Descriptor {
  const cursor = new Cursor(bytes, where);
  const version = cursor.u8('version');
  if (version !== 0) throw new TracelessError('UNSUPPORTED_FORMAT', `${where}: overlay version ${version} is not one traceless knows`);
  const flags = cursor.u8('flags') & largeFieldsFlag;
  const fieldBytes = flags ? 4 : 2;
  const writer = new Writer().uint(1, 0).uint(1, flags);
  for (let index = 0; index < 4; index++) writer.uint(2, cursor.u16('canvas_fill_value'));
  writer.uint(fieldBytes, cursor.uint(fieldBytes, 'output_width')).uint(fieldBytes, cursor.uint(fieldBytes, 'output_height'));
  // Offsets are signed, but their bits are copied as they are: an unsigned read of the same width.
  for (let index = 0; index < inputCount; index++) {
    writer.uint(fieldBytes, cursor.uint(fieldBytes, 'horizontal_offset')).uint(fieldBytes, cursor.uint(fieldBytes, 'vertical_offset'));
  }
  return { data: writer.toBuffer(), droppedBytes: cursor.remaining };
}
