/**
 * ExifTool as an independent judge in tests: Debian's `exiftool` when installed, otherwise the
 * copy bundled with exiftool-vendored (Perl is on every machine here).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

function exiftoolCommand(): string[] {
  for (const path of ['/usr/bin/exiftool', '/usr/local/bin/exiftool']) if (existsSync(path)) return [path];
  const require = createRequire(import.meta.url);
  const vendored = join(dirname(require.resolve('exiftool-vendored.pl/package.json')), 'bin', 'exiftool');
  return ['perl', vendored];
}

const command = exiftoolCommand();

/** All tags, `-G1` group-prefixed, with `-ee` (embedded/timed data), numeric values. */
export function exiftoolTags(path: string): Record<string, unknown> {
  const out = execFileSync(command[0]!, [...command.slice(1), '-j', '-a', '-u', '-ee', '-n', '-G0:1', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(out) as Record<string, unknown>[])[0] ?? {};
}

const freeGroups = /^(File|System|ExifTool|ICC_Profile|ICC-header|ICC-view|ICC-meas|Composite)(:|$)/;
const badGroups = /^(XMP|IPTC|Photoshop|MakerNotes|FlashPix|MPF|FLIR|Trailer|Samsung|Google|Apple|DJI|GoPro|PrintIM)(:|$)/;
const badTag = /GPS|Location|Latitude|Longitude|Coordinates|City|Country|Sub-?location|Province|(^|[^e])Make$|(^|Camera|Lens|Unique)Model$|Serial|Owner|Artist|Author|Creator|Copyright|Software|HostComputer|DateTimeOriginal|CreateDate|ModifyDate|Thumbnail(Image|Offset|Length)|PreviewImage|UserComment|Comment$/i;

/**
 * What `clean` keeps of an HDR photo or MPO so that it still renders the same (README "HDR gain
 * maps"): the MPF index, the gain-map XMP namespaces, Apple's two maker-note headroom values.
 * Everything else in these groups is still a leak.
 */
const renderingTag = /^(MPF:(MPF0|MPImage\d+):|XMP:XMP-(hdrgm|Container|apdi|HDRGainMap):|MakerNotes:Apple:(HDRHeadroom|HDRGain)$)/;

/** Tags ExifTool still finds that reveal something (the same rule the project's oracle uses). */
export function sensitiveTags(tags: Record<string, unknown>): string[] {
  return Object.entries(tags)
    .filter(([key, value]) => {
      if (!key.includes(':') || freeGroups.test(key) || renderingTag.test(key)) return false;
      if (badGroups.test(key)) return true;
      const tag = key.split(':').pop()!;
      if (!badTag.test(tag)) return false;
      if (typeof value === 'string' && (/^0000[:-]00[:-]00/.test(value) || value.trim() === '')) return false;
      return true;
    })
    .map(([key]) => key);
}
