/** WebP red-team (location mode): a kept EXIF whose text tags spell coordinates is removed. */
import { describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer } from '../../src/clean.js';
import { baseWebp, dirtyWebp } from '../fixtures/webp.js';

describe('WebP red-team: location mode', () => {
  it('EXIF Software spelling coordinates does not survive', async () => {
    const input = await dirtyWebp({ base: await baseWebp(), exif: { software: 'at 48.8584N, 2.2945E' }, xmp: null });
    const out = cleanBuffer(input, { only: 'location' }).data!;
    expect(out).not.toBeNull();
    expect(out.toString('latin1')).not.toMatch(/48\.8584/);
  });

  it('EXIF without a place is still kept', async () => {
    const input = await dirtyWebp({ base: await baseWebp(), exif: { software: 'Editor 2.1' }, xmp: null });
    const out = cleanBuffer(input, { only: 'location' }).data!;
    expect(out.includes(Buffer.from('Editor 2.1'))).toBe(true);
  });
});
