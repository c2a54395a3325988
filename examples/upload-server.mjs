// An upload handler that strips metadata from every file as it arrives (Node's `http` only).
//
//   npm run build && node examples/upload-server.mjs            # listens on PORT (default 8080)
//   curl --data-binary @IMG_1234.jpg http://localhost:8080/clean -o clean.jpg -D -
//
// POST /clean with the raw file as the body:
//   200  the clean bytes; Content-Type from the detected format, X-Traceless-Removed = how many
//        metadata blocks were removed, X-Traceless-Status = cleaned | already-clean
//   413  the body is larger than the limit (MAX_BYTES, default 512 MB)
//   415  not a format traceless cleans (UNSUPPORTED_FORMAT)
//   422  refused or failed to verify (MALFORMED, TRUNCATED, LIMIT_EXCEEDED, VERIFY_FAILED, …)
//   every error answers with a JSON body { code, message }.
// POST /scan returns the inspection (what the file gives away) as JSON.
//
// The work runs on the library's worker pool, so this one process keeps answering while a
// large video is cleaned; uploads past 64 MB are spooled to a private temporary file, so memory
// stays bounded. Nothing unverified is ever sent: the status and headers go out only once the
// clean output has verified.
import { createServer } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { cleanStream, inspect, shutdown, TracelessError } from '../dist/src/index.js';

const contentTypes = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  tiff: 'image/tiff',
  heif: 'image/heif',
  mp4: 'video/mp4',
};

const statusFor = (code) => (code === 'UNSUPPORTED_FORMAT' ? 415 : code === 'INTERNAL' || code === 'IO_ERROR' ? 500 : 422);

class TooLarge extends Error {}

/** Counts the body as it passes and stops it past `maxBytes` (chunked uploads have no length). */
function limitBytes(maxBytes) {
  let seen = 0;
  return new Transform({
    transform(chunk, _encoding, callback) {
      seen += chunk.length;
      callback(seen > maxBytes ? new TooLarge(`the upload is larger than ${maxBytes} bytes`) : null, chunk);
    },
  });
}

function sendError(response, status, code, message) {
  if (response.headersSent) {
    response.destroy(); // mid-body: the only honest signal left is a cut connection
    return;
  }
  const body = JSON.stringify({ code, message });
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  response.end(body);
}

/** The body, through the size limit; a too-large declared length is answered before reading. */
function body(request, response, maxBytes) {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    sendError(response, 413, 'TOO_LARGE', `the upload is larger than ${maxBytes} bytes`);
    request.resume();
    return null;
  }
  const limited = limitBytes(maxBytes);
  request.on('error', (error) => limited.destroy(error));
  request.pipe(limited);
  return limited;
}

async function handleClean(request, response, maxBytes) {
  const input = body(request, response, maxBytes);
  if (!input) return;
  const controller = new AbortController();
  request.on('close', () => {
    if (!request.complete) controller.abort(new Error('the client went away'));
  });
  const { output, result } = cleanStream(input, { name: 'upload', signal: controller.signal });
  let summary;
  try {
    summary = await result;
  } catch (error) {
    output.destroy();
    if (error?.cause instanceof TooLarge) return sendError(response, 413, 'TOO_LARGE', error.cause.message);
    if (error instanceof TracelessError) return sendError(response, statusFor(error.code), error.code, error.message);
    return sendError(response, 500, 'INTERNAL', 'the upload could not be cleaned');
  }
  response.writeHead(200, {
    'Content-Type': contentTypes[summary.format.id] ?? 'application/octet-stream',
    'Content-Length': summary.bytesWritten,
    'X-Traceless-Removed': String(summary.removed.length),
    'X-Traceless-Status': summary.status,
  });
  try {
    await pipeline(output, response);
  } catch {
    response.destroy(); // the client went away, or reading the spooled input failed
  }
}

async function handleScan(request, response, maxBytes) {
  const input = body(request, response, maxBytes);
  if (!input) return;
  const chunks = [];
  try {
    for await (const chunk of input) chunks.push(chunk);
  } catch (error) {
    if (error instanceof TooLarge) return sendError(response, 413, 'TOO_LARGE', error.message);
    return sendError(response, 400, 'IO_ERROR', 'the upload was cut short');
  }
  try {
    // Bytes we collected ourselves: hand them to the worker without a copy.
    const report = await inspect(Buffer.concat(chunks), 'upload', { transfer: true });
    const text = JSON.stringify(report);
    response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
  } catch (error) {
    if (error instanceof TracelessError) return sendError(response, statusFor(error.code), error.code, error.message);
    return sendError(response, 500, 'INTERNAL', 'the upload could not be scanned');
  }
}

/** The server (not yet listening). `maxBytes`: the largest upload accepted. */
export function createUploadServer({ maxBytes = 512 * 1024 * 1024 } = {}) {
  return createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'POST' && path === '/clean') return void handleClean(request, response, maxBytes);
    if (request.method === 'POST' && path === '/scan') return void handleScan(request, response, maxBytes);
    request.resume();
    sendError(response, 404, 'NOT_FOUND', 'POST a file to /clean or /scan');
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = createUploadServer({ maxBytes: Number(process.env.MAX_BYTES) || undefined });
  server.listen(Number(process.env.PORT ?? 8080), () => console.log(`traceless upload server on http://localhost:${server.address().port}/clean`));
  // A deliberate shutdown lets running cleans finish, then stops the worker pool.
  process.once('SIGTERM', () => server.close(() => void shutdown()));
  process.once('SIGINT', () => server.close(() => void shutdown()));
}
