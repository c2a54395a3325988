/**
 * Small previews for the HTML report, made with sharp and carrying no metadata at all: sharp
 * writes none unless asked (we never call withMetadata/keepExif/keepIccProfile), so a thumbnail
 * cannot leak what the report is about. The EXIF orientation is applied to the pixels first.
 * Formats sharp's prebuilt libvips cannot decode (video, HEVC-coded HEIC, raw) get no thumbnail;
 * the page shows a placeholder instead.
 * Reference: https://sharp.pixelplumbing.com/api-output (metadata is stripped by default).
 */
import type { FormatInfo } from '../../types.js';

/** Longest edge of a thumbnail, in pixels (shown at half that on high-density screens). */
export const thumbnailEdgePixels = 96;
/** Decoding bigger pictures costs too much memory for a preview. */
const maxInputPixels = 100_000_000;
/** Files bigger than this get a placeholder: reading them would take too long for a preview. */
export const maxThumbnailInputBytes = 256 * 1024 * 1024;

/** Formats worth handing to sharp: it decodes these (AVIF too; HEVC-coded HEIC fails and gets a placeholder). */
const decodable = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

export function canThumbnail(format: FormatInfo): boolean {
  return decodable.has(format.id);
}

/** A `data:image/webp;base64,…` URI of a small, metadata-free preview, or null when there is none. */
export async function makeThumbnail(input: string | Buffer, format: FormatInfo): Promise<string | null> {
  if (!canThumbnail(format)) return null;
  try {
    // Loaded on first use: scanning and cleaning never need the native image library.
    const { default: sharp } = await import('sharp');
    const data = await sharp(input, { limitInputPixels: maxInputPixels, animated: false, failOn: 'none', sequentialRead: true })
      .rotate()
      .resize(thumbnailEdgePixels, thumbnailEdgePixels, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 60, effort: 2 })
      .toBuffer();
    return `data:image/webp;base64,${data.toString('base64')}`;
  } catch {
    // A preview is a nicety: whatever sharp cannot decode simply gets the placeholder.
    return null;
  }
}

/** Thumbnails for many inputs, a few at a time (sharp uses its own threads for each). */
export async function makeThumbnails(inputs: readonly { input: string | Buffer; format: FormatInfo; size: number }[], options: { concurrency?: number; budgetBytes?: number } = {}): Promise<(string | null)[]> {
  const results: (string | null)[] = new Array(inputs.length).fill(null);
  let budget = options.budgetBytes ?? 48 * 1024 * 1024;
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      const item = inputs[index]!;
      if (budget <= 0 || item.size > maxThumbnailInputBytes) continue;
      const uri = await makeThumbnail(item.input, item.format);
      if (uri && budget > 0) {
        budget -= uri.length;
        results[index] = uri;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return results;
}
