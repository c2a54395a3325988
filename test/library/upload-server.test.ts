/**
 * examples/upload-server.mjs end to end, with real HTTP requests: a dirty JPEG comes back clean
 * (and re-inspects clean), a text file is refused with 415 and its code, a cut photo with 422, an
 * upload over the limit with 413. The example imports the built library (`npm test` builds first).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync, inspectSync } from '../../src/index.js';
import { phoneJpeg } from '../fixtures/jpeg.js';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'upload-server.mjs');
const built = existsSync(join(root, 'dist', 'src', 'index.js'));

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function post(port: number, path: string, body: Buffer, options: { chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = options.chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': body.length };
    const request = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    if (options.chunked) {
      // Awkward pieces, as a slow client would send them.
      for (let at = 0; at < body.length; at += 1000) request.write(body.subarray(at, at + 1000));
      request.end();
    } else {
      request.end(body);
    }
  });
}

describe.skipIf(!built)('examples/upload-server.mjs', () => {
  let server: Server;
  let port: number;
  let photo: Buffer;
  beforeAll(async () => {
    photo = await phoneJpeg({ trailerImage: true });
    const { createUploadServer } = (await import(example)) as { createUploadServer(options?: { maxBytes?: number }): Server };
    server = createUploadServer({ maxBytes: 1024 * 1024 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('POST /clean returns the clean bytes with the format and what was removed', async () => {
    const before = inspectSync(photo);
    expect(before.locations.length).toBeGreaterThan(0);
    for (const chunked of [false, true]) {
      const reply = await post(port, '/clean', photo, { chunked });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('image/jpeg');
      expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
      expect(reply.headers['x-traceless-status']).toBe('cleaned');
      const expected = cleanBufferSync(photo);
      expect(Number(reply.headers['x-traceless-removed'])).toBe(expected.result.removed.length);
      expect(reply.body.equals(expected.data!)).toBe(true);
      const after = inspectSync(reply.body);
      expect(after.locations).toEqual([]);
      expect(after.findings.filter((finding) => !finding.retained)).toEqual([]);
      expect(cleanBufferSync(reply.body).result.status).toBe('already-clean');
    }
  });

  it('refuses what it cannot clean with a 4xx and the error code', async () => {
    const text = await post(port, '/clean', Buffer.from('Dear diary, today I went to the beach.\n'));
    expect(text.status).toBe(415);
    expect(text.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(text.body.toString())).toMatchObject({ code: 'UNSUPPORTED_FORMAT', message: expect.any(String) });

    const cut = await post(port, '/clean', photo.subarray(0, 400));
    expect(cut.status).toBe(422);
    expect(JSON.parse(cut.body.toString()).code).toBe(cleanBufferSync(photo.subarray(0, 400)).result.error?.code);

    const huge = Buffer.concat([photo, Buffer.alloc(2 * 1024 * 1024)]);
    const declared = await post(port, '/clean', huge);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body.toString()).code).toBe('TOO_LARGE');
    const streamed = await post(port, '/clean', huge, { chunked: true }).catch(() => null);
    // A chunked upload past the limit is answered 413 (or the connection is cut mid-body).
    if (streamed) expect(streamed.status).toBe(413);

    const other = await post(port, '/elsewhere', photo);
    expect(other.status).toBe(404);
  });

  it('POST /scan reports what the upload gives away', async () => {
    const reply = await post(port, '/scan', photo);
    expect(reply.status).toBe(200);
    const report = JSON.parse(reply.body.toString());
    expect(report.format.id).toBe('jpeg');
    expect(report.locations.length).toBe(inspectSync(photo).locations.length);
  });
});
