/**
 * Adobe Photoshop PSD/PSB (scan only): the image resources section is read (IPTC, XMP, EXIF,
 * thumbnails, URL, ICC); layers are not.
 * Reference: Adobe Photoshop File Formats Specification (2019), "File Header Section", "Color
 * Mode Data Section", "Image Resources Section" and "Image Resource IDs".
 */
import { TracelessError } from '../../errors.js';
import { formatBytes } from '../../decode/exif.js';
import { decodeIptc, readImageResources, resourceIds } from '../../decode/iptc.js';
import type { ByteSource } from '../../io/source.js';
import type { ContainerReport } from '../types.js';
import { addExif, addFinding, addXmp, cleanText, guarded, maxScanBytes } from './common.js';

export function isPsd(head: Buffer): boolean {
  return head.length >= 6 && head.toString('latin1', 0, 4) === '8BPS' && (head.readUInt16BE(4) === 1 || head.readUInt16BE(4) === 2);
}

const resourceNames: Readonly<Record<number, string>> = { 0x040b: 'URL', 0x0bb7: 'ClippingPathName', 0x0408: 'GridGuides', 0x041e: 'URLList' };

export function readPsd(source: ByteSource, report: ContainerReport): void {
  if (source.size < 30) throw new TracelessError('TRUNCATED', 'PSD header is cut short');
  const colorModeLength = source.read(26, 4).readUInt32BE(0);
  const resourcesAt = 30 + colorModeLength;
  if (resourcesAt + 4 > source.size) throw new TracelessError('TRUNCATED', 'PSD colour mode section runs past the end of the file');
  const resourcesLength = source.read(resourcesAt, 4).readUInt32BE(0);
  if (resourcesAt + 4 + resourcesLength > source.size) throw new TracelessError('TRUNCATED', 'PSD image resources run past the end of the file');
  if (resourcesLength > maxScanBytes) throw new TracelessError('LIMIT_EXCEEDED', `PSD image resources of ${formatBytes(resourcesLength)} are more than traceless reads`);
  const data = source.read(resourcesAt + 4, resourcesLength);
  for (const resource of readImageResources(data)) {
    const body = data.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength);
    const where = `PSD/8BIM(0x${resource.id.toString(16).padStart(4, '0')})`;
    switch (resource.id) {
      case resourceIds.iptc:
        guarded(report, where, () => report.findings.push(...decodeIptc(body, `${where}/IPTC`)));
        break;
      case resourceIds.xmp:
        addXmp(report, body, `${where}/XMP`);
        break;
      case resourceIds.exif1:
      case resourceIds.exif3:
        addExif(report, body, `${where}/EXIF`);
        break;
      case resourceIds.thumbnail:
      case resourceIds.thumbnailOld:
        addFinding(report, 'thumbnail', where, 'PhotoshopThumbnail', 'Embedded thumbnail', `Photoshop preview of ${formatBytes(body.length)}`);
        break;
      case 0x040f:
        report.findings.push({ category: 'other', where, tag: 'ICC_Profile', label: 'Colour profile', meaning: 'colour-profile', value: body.length, text: `ICC colour profile (${formatBytes(body.length)})`, retained: true });
        break;
      default: {
        const name = resourceNames[resource.id];
        if (name === 'URL') {
          const url = cleanText(body);
          if (url) addFinding(report, 'other', where, 'URL', 'URL', url);
        }
        break;
      }
    }
  }
  report.unreadable.push('Photoshop layers (their names, hidden layers and layer masks) are not read by traceless; PSD files cannot be cleaned');
}
