// Regenerates the bundled example photo from code (run after `npm run build`):
//   node examples/make-examples.mjs
// It is a small JPEG with what a phone and an editor write: GPS (San Francisco), camera make,
// model and serial number, dates, owner, a thumbnail with its own GPS, XMP, IPTC place names,
// a comment and a second image after the end of the first (as MPF and motion photos do).
import { writeFileSync } from 'node:fs';
import { phoneJpeg } from '../dist/test/fixtures/jpeg.js';

const photo = await phoneJpeg({ trailerImage: true });
writeFileSync(new URL('./IMG_0001.jpg', import.meta.url), photo);
console.log(`examples/IMG_0001.jpg: ${photo.length} bytes`);
