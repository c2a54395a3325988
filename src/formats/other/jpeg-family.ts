/**
 * JPEG 2000 (JP2/JPX), scan only: ISO base media style boxes. (JPEG XL is cleaned in `src/formats/jxl/`.)
 * References: ISO/IEC 15444-1 annex I (JP2 boxes: signature, `jp2h`, `xml `, `uuid`, `jp2c`) and
 * annex A.9 (COM marker in the codestream); GeoJP2 (a degenerate
 * GeoTIFF in a `uuid` box); ExifTool Jpeg2000 tables (EXIF, XMP and IPTC UUIDs).
 */
import { formatBytes } from '../../decode/exif.js';
import { decodeIptc } from '../../decode/iptc.js';
import { parseTiff } from '../../decode/tiff.js';
import type { ByteSource } from '../../io/source.js';
import { BoxBudget, payloadSize, payloadStart, readBoxes, readChildren, type Box } from '../isobmff/boxes.js';
import type { ContainerReport } from '../types.js';
import { describeGeoTiff } from '../tiff/payloads.js';
import { addExif, addFinding, addXmp, cleanText, guarded, maxScanBytes, readAtMost } from './common.js';

const jp2Signature = Buffer.from('0000000c6a5020200d0a870a', 'hex');

const uuids = {
  exif: '4a706754696666457869662d3e4a5032', // "JpgTiffExif->JP2"
  xmp: 'be7acfcb97a942e89c71999491e3afac',
  iptc: '33c7a4d2b81d4723a0baf1a3e097ad38',
  geoJp2: 'b14bf8bd083d4b43a5ae8cd7d5a6ce03',
} as const;

export function isJp2(head: Buffer): boolean {
  return head.length >= 12 && head.subarray(0, 12).equals(jp2Signature);
}

function payload(source: ByteSource, box: Box): Buffer {
  return readAtMost(source, payloadStart(box), Math.min(payloadSize(box), maxScanBytes));
}

export function readJp2(source: ByteSource, report: ContainerReport): void {
  // Scan-only: never cleaned, so a box cut short by the end of the file is read as far as it goes.
  const budget = new BoxBudget(true, report.unreadable);
  for (const box of readBoxes(source, 0, source.size, budget)) {
    const where = `JP2/${box.type === 'uuid' ? `uuid(${box.uuid?.slice(0, 8)})` : box.type.trim()}`;
    switch (box.type) {
      case 'uuid':
        readJp2Uuid(source, box, where, report);
        break;
      case 'xml ':
        readXmlBox(payload(source, box), where, report);
        break;
      case 'jp2h':
        guarded(report, where, () => {
          for (const child of readChildren(source, box, budget, 1)) {
            if (child.type === 'colr' && payloadSize(child) > 3 && readAtMost(source, payloadStart(child), 1)[0] === 2) {
              report.findings.push({ category: 'other', where: `${where}/colr`, tag: 'ICC_Profile', label: 'Colour profile', meaning: 'colour-profile', value: payloadSize(child) - 3, text: `ICC colour profile (${formatBytes(payloadSize(child) - 3)})`, retained: true });
            }
          }
        });
        break;
      case 'jp2c':
        // The main header (where COM segments sit) is at the start of the codestream.
        guarded(report, where, () => readCodestreamComments(readAtMost(source, payloadStart(box), Math.min(payloadSize(box), 1024 * 1024)), where, report));
        break;
      default:
        break;
    }
  }
}

function readJp2Uuid(source: ByteSource, box: Box, where: string, report: ContainerReport): void {
  const body = payload(source, box);
  switch (box.uuid) {
    case uuids.exif:
      addExif(report, body, `${where}/EXIF`);
      break;
    case uuids.xmp:
      addXmp(report, body, where);
      break;
    case uuids.iptc:
      guarded(report, where, () => report.findings.push(...decodeIptc(body, `${where}/IPTC`)));
      break;
    case uuids.geoJp2:
      guarded(report, where, () => {
        const structure = parseTiff(body);
        const geo = describeGeoTiff(structure, structure.ifds[0]!, `${where}`);
        report.findings.push(...geo.findings);
        report.locations.push(...geo.locations);
      });
      break;
    default:
      addFinding(report, 'other', where, 'UUIDBox', 'Vendor data', formatBytes(body.length));
      break;
  }
}

/** `xml ` boxes hold XMP, or other XML such as GML georeferencing. */
function readXmlBox(body: Buffer, where: string, report: ContainerReport): void {
  const text = body.toString('utf8');
  if (text.includes('<x:xmpmeta') || text.includes('http://ns.adobe.com/xap/1.0/')) {
    addXmp(report, body, where);
  } else if (/gml:|FeatureCollection|<gml/i.test(text)) {
    addFinding(report, 'location', where, 'GML', 'Map position (GML)', `${formatBytes(body.length)} of geographic XML`);
  } else if (text.includes('http://www.jpeg.org/jpx/1.0/xml')) {
    // JPX metadata (ISO/IEC 15444-2 annex N): upper-case leaf elements such as CREATION_TIME.
    const leaf = /<([A-Z][A-Z0-9_]*)>([^<]{1,500})<\/\1>/g;
    let count = 0;
    for (let match = leaf.exec(text); match && count < 64; match = leaf.exec(text), count++) {
      const [, name = '', value = ''] = match;
      const category = /LOCATION|LATITUDE|LONGITUDE|GPS|ADDRESS|CITY|COUNTRY/.test(name) ? 'location'
        : /TIME|DATE/.test(name) ? 'time'
        : /MAKE|MODEL|SERIAL|DEVICE|CAMERA|SOFTWARE|LENS/.test(name) ? 'device'
        : /CREATOR|PERSON|AUTHOR|OWNER|COPYRIGHT|NAME/.test(name) ? 'owner' : 'other';
      if (value.trim()) addFinding(report, category, where, name, name.toLowerCase().replace(/_/g, ' '), value.trim());
    }
    if (count === 0) addFinding(report, 'other', where, 'XML', 'JPX metadata', formatBytes(body.length));
  } else {
    addFinding(report, 'other', where, 'XML', 'XML data', formatBytes(body.length));
  }
}

/** COM (0xFF64) segments in the codestream's main header (before the first tile, SOT 0xFF90). */
function readCodestreamComments(codestream: Buffer, where: string, report: ContainerReport): void {
  let offset = 2; // after SOC
  for (let count = 0; offset + 4 <= codestream.length && count < 4096; count++) {
    const marker = codestream.readUInt16BE(offset);
    if (marker === 0xff90 || marker === 0xff93 || marker === 0xffd9) return;
    const length = codestream.readUInt16BE(offset + 2);
    if (length < 2) return;
    if (marker === 0xff64 && length > 4) {
      const registration = codestream.readUInt16BE(offset + 4);
      const text = registration === 1 ? cleanText(codestream.subarray(offset + 6, offset + 2 + length)) : '';
      if (text) addFinding(report, 'other', `${where}/COM`, 'Comment', 'Comment', text);
    }
    offset += 2 + length;
  }
}
