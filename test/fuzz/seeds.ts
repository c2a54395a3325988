/**
 * Seeds for the fuzz engine: for every format traceless knows, a few files built by code with the
 * fixture builders (each full of the metadata that format can carry, so the mutants reach the
 * decoders), plus — when the shared corpus is beside the project — its small real files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFormat, formats } from '../../src/index.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { gifXmp, animatedGif, assembleGif, baseGif, commentExtension, dirtyGif, graphicControlExtension, loopingExtension, plainTextExtension, xmpExtension } from '../fixtures/gif.js';
import { appleMakerNote, buildHeif, standardHeifFixture, colrIcc, cstring as heifCstring, exifItemPayload, fakeImageData, fullBox as heifFullBox, hvcC, iccProfileFixture, irot, ispe, pixi, box as heifBox, xmpPacket as heifXmp, type HeifFixture } from '../fixtures/heif.js';
import { appleGainMapJpeg, multiPictureJpeg } from '../fixtures/gain-map.js';
import { basePixelsJpeg, exifSegment, insertSegments, phoneJpeg, adobeSegment, imageResource, insertBefore, iptcRecord, jfifSegment, photoshopSegment, quantTable, removeSegments, segment as jpegSegment } from '../fixtures/jpeg.js';
import { actionCameraClip, addToMovie, appleKeysMeta, assetBox, box as mp4Box, cammGpsPacket, dashcamClip, ffmpegClip, freeGpsBlock, mebxKeys, mebxSample, removeScratch, textAtom, xmpPacket as mp4Xmp, xmpUuidBox, appendToBox } from '../fixtures/mp4.js';
import { craftedMatroska, el as mkvElement, ffmpegMatroska, removeMatroskaScratch } from '../fixtures/matroska.js';
import { basePng, dirtyPng, assemblePng, craftedApng, iccPng, imageResources, indexedPng, iptcDatasets, pngChunk, rawProfileText, zTxtChunk } from '../fixtures/png.js';
import { scanOnlyBuilders, sidecarBuilders } from '../fixtures/scan-only.js';
import { craftedAviSeeds, ffmpegAvi, removeAviScratch } from '../fixtures/avi.js';
import { cjxlImage, codestreamOf, craftedJxlSeeds, removeJxlScratch } from '../fixtures/jxl.js';
import { TiffWriter, buildDng, buildFullTiff, withExifApp1, craftedJpegTiff } from '../fixtures/tiff.js';
import { animatedWebp, assembleWebp, baseWebp, dirtyWebp, iccProfile, splitWebp, webpXmp } from '../fixtures/webp.js';
import { Bytes, exifWithMakerNote, ifdTable, jpegWithExif } from '../fixtures/makernotes.js';

export interface Seed {
  /** Where it came from: a builder name or a corpus path. */
  name: string;
  data: Buffer;
}

/** Format ids, in the order of the registry (src/formats/index.ts). */
export const formatIds: readonly string[] = formats.map((format) => format.id);

/** The project root (where package.json is), from the TypeScript source or the compiled copy in dist/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let step = 0; step < 6; step++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'traceless') return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the traceless project root');
}

export function corpusRoot(): string {
  return resolve(process.env.TRACELESS_CORPUS ?? join(projectRoot(), '..', 'shared', 'corpus'));
}

const mb = 1024 * 1024;

/** Builds the code seeds of the given formats (all when omitted), keyed by format id. */
export async function codeSeeds(only?: readonly string[]): Promise<Map<string, Seed[]>> {
  const wanted = (id: string) => !only || only.includes(id);
  const seeds = new Map<string, Seed[]>();
  const add = (id: string, name: string, data: Buffer) => {
    const list = seeds.get(id) ?? [];
    list.push({ name, data });
    seeds.set(id, list);
  };
  const plainJpeg = await basePixelsJpeg(16, 12);
  const exifJpeg = withExifApp1(plainJpeg, buildExifTiff());

  if (wanted('jpeg')) {
    add('jpeg', 'phone-jpeg', await phoneJpeg({ trailerImage: true }));
    add('jpeg', 'phone-jpeg-extended-xmp-progressive', await phoneJpeg({ extendedXmp: true, progressive: true, icc: false, comment: false }));
    add('jpeg', 'orientation-only', insertSegments(plainJpeg, [exifSegment({ orientation: 6, littleEndian: true })]));
    add('jpeg', 'plain', plainJpeg);
    add('jpeg', 'ultrahdr-gain-map', (await multiPictureJpeg({ kind: 'ultrahdr' })).file);
    add('jpeg', 'apple-gain-map', (await appleGainMapJpeg()).file);
    add('jpeg', 'mpo-pair', (await multiPictureJpeg({ kind: 'mpo' })).file);
    // A camera maker note (Canon layout: owner, serial, world-time city), so mutants reach the maker-note readers.
    const canonLe = new Bytes(true);
    add('jpeg', 'canon-maker-note', await jpegWithExif(exifWithMakerNote({ make: 'Canon', model: 'Canon EOS 80D', note: (at) => ifdTable(canonLe, [canonLe.ascii(0x0009, 'Owner Name'), canonLe.long(0x000c, 2345678901), canonLe.slong(0x0035, 16, 60, 19, 0), canonLe.ascii(0x0096, 'INTSERIAL77')], at, 0) })));
    // Keep-list slack: a JFIF thumbnail, Adobe with trailing bytes, an unused DQT table, a JPGn
    // marker, a DNL payload and a Photoshop block — so mutants reach the structure re-writer.
    const crafted = insertBefore(
      Buffer.concat([plainJpeg.subarray(0, 2), jfifSegment({ width: 1, height: 1, thumbnail: Buffer.from('ABC') }), removeSegments(plainJpeg, 0xe0).subarray(2)]),
      0xc0,
      [adobeSegment(Buffer.from('TRAIL')), jpegSegment(0xdb, quantTable(3, 'UNUSED')), jpegSegment(0xf0, Buffer.from('JPG0')), photoshopSegment([imageResource(0x03ed, Buffer.alloc(16, 1)), imageResource(0x0404, iptcRecord(2, 120, 'caption'))])],
    );
    add('jpeg', 'crafted-structure-slack', insertBefore(crafted, 0xd9, [jpegSegment(0xdc, Buffer.from([0, 12, 1, 2]))]));
  }
  if (wanted('png')) {
    add('png', 'dirty-png', await dirtyPng());
    add('png', 'dirty-png-exif-after-idat', await dirtyPng({ exifAfterImage: true, exif: { ...defaultExif, littleEndian: true } }));
    add('png', 'plain-alpha', await basePng({ alpha: true, width: 8, height: 6 }));
    // Kept structures the keep-list re-writes: a palette with transparency and background, an APNG,
    // a colour profile, and an 8BIM raw profile that location mode reduces to its IPTC.
    const indexed = await indexedPng();
    add('png', 'indexed-trns-bkgd', assemblePng(indexed, { beforeImage: [pngChunk('tRNS', Buffer.from([0, 128, 255])), pngChunk('bKGD', Buffer.from([1]))] }));
    add('png', 'crafted-apng', craftedApng());
    add('png', 'icc-8bim-profile', assemblePng(await iccPng(), {
      beforeImage: [zTxtChunk('Raw profile type 8bim', rawProfileText('8bim', imageResources([{ id: 0x0404, data: iptcDatasets([[2, 5, 'Title'], [2, 90, 'City']]) }])))],
    }));
  }
  if (wanted('webp')) {
    add('webp', 'dirty-webp', await dirtyWebp({ unknown: true, trailing: Buffer.from('TRAILER', 'latin1') }));
    add('webp', 'dirty-webp-lossless-exif-header', await dirtyWebp({ base: await baseWebp({ lossless: true, alpha: true }), exifHeader: true, icc: Buffer.from('fake icc profile bytes', 'latin1') }));
    add('webp', 'animated-webp', await dirtyWebp({ base: await animatedWebp(), unknownInFrame: true }));
    add('webp', 'plain', await baseWebp());
    // Keep-list structures with slack: every kept chunk type, plus chunks no reader needs.
    const lossyAnimated = await dirtyWebp({ base: await animatedWebp({ lossless: false }), icc: await iccProfile() });
    add('webp', 'crafted-animated-lossy', assembleWebp([
      ...splitWebp(lossyAnimated).map((part) => (part.fourCC === 'ANIM' ? { fourCC: 'ANIM', payload: Buffer.concat([part.payload, Buffer.from('anim slack')]) } : part)),
      { fourCC: 'XMP\0', payload: Buffer.from(webpXmp, 'utf8') },
      { fourCC: 'VP8L', payload: Buffer.from('stray bitstream') },
    ]));
  }
  if (wanted('gif')) {
    add('gif', 'dirty-gif', await dirtyGif());
    add('gif', 'animated-dirty-gif', await dirtyGif({ base: await animatedGif() }));
    add('gif', 'xmp-only', assembleGif(await baseGif(), { first: [xmpExtension(gifXmp), commentExtension('c')] }));
    // Keep-list structures with slack: graphic control and looping extensions carrying more than their fields.
    add('gif', 'crafted-slack', assembleGif(await animatedGif(), {
      first: [loopingExtension(3, [Buffer.from([2, 0, 1, 0, 0]), Buffer.from('looping slack')]), graphicControlExtension({ delay: 4, extraInFirst: Buffer.from('gce slack'), moreSubBlocks: Buffer.from('more') })],
      last: [graphicControlExtension({ delay: 1 }), plainTextExtension('drawn text'), xmpExtension(gifXmp)],
    }));
  }
  if (wanted('heif')) {
    const exifTiff = buildExifTiff({ ...defaultExif, makerNote: appleMakerNote({ contentIdentifier: 'A1B2C3D4-E5F6', burstUuid: 'BURST-0001', runTimeSeconds: 93_784 }) });
    const xmp = heifXmp({ latitude: '48,51.5022N', longitude: '2,17.6689E', city: 'Fixtureville', creator: 'Xmp Creator Person' });
    const fixture = (overrides: Partial<HeifFixture> = {}): HeifFixture =>
      standardHeifFixture({ exifTiff, xmp, icc: iccProfileFixture('fake ICC profile bytes that must survive'), primaryBytes: 120, thumbnailBytes: 40 }, overrides);
    add('heif', 'heic-iloc1-base-offset', buildHeif(fixture({ iloc: { version: 1, baseOffsetSize: 4 }, afterMeta: [heifBox('free', Buffer.from('x'))] })).file);
    add('heif', 'heic-iloc2-idat-split', buildHeif(fixture({
      iloc: { version: 2, offsetSize: 8, lengthSize: 8 },
      infeVersion: 3,
      items: [
        { id: 1, type: 'hvc1', data: fakeImageData(120, 1), extents: 3 },
        { id: 3, type: 'Exif', data: exifItemPayload(exifTiff), place: 'idat' },
        { id: 4, type: 'mime', contentType: 'application/rdf+xml', data: Buffer.from(xmp, 'utf8'), extents: 2 },
      ],
      references: [{ type: 'cdsc', from: 3, to: [1] }, { type: 'cdsc', from: 4, to: [1] }],
      associations: [{ item: 1, properties: [0x81, 2, 0x83, 4] }],
    })).file);
    add('heif', 'avif-mdat-first', buildHeif(fixture({ brands: ['avif', 'mif1', 'avif', 'miaf'], mdatFirst: true, iloc: { version: 0 } })).file);
    // Keep-list shapes: what phones add (Samsung sefd, a free property, an iptc item) and slack in kept structures.
    const phone = fixture({ afterMdat: [heifBox('sefd', Buffer.from('SEFH vendor record'))], itemNames: { 1: 'Primary name' } });
    phone.items.push({ id: 8, type: 'iptc', data: Buffer.from([0x1c, 2, 90, 0, 4, 0x50, 0x61, 0x72, 0x69]) });
    phone.properties!.push(heifBox('free', Buffer.from('free property')), heifFullBox('auxC', 0, 0, heifCstring('urn:example:unknown')), heifFullBox('ispe', 0, 0, Buffer.alloc(8, 1), Buffer.from('slack')));
    phone.associations![0]!.properties.push(7, 9);
    phone.items.push({ id: 7, type: 'hvc1', data: fakeImageData(30, 7) });
    phone.references!.push({ type: 'auxl', from: 7, to: [1] });
    phone.associations!.push({ item: 7, properties: [0x81, 8] });
    add('heif', 'heic-phone-keep-list', buildHeif(phone).file);
    const grid = fixture();
    grid.items.push({ id: 5, type: 'grid', place: 'idat', data: Buffer.from([0, 0, 0, 0, 0, 120, 0, 40, 0xaa]) });
    grid.references!.push({ type: 'dimg', from: 5, to: [1] });
    grid.primary = 5;
    add('heif', 'heic-grid-idat', buildHeif(grid).file);
    // A JPEG-coded item (marker structure only) with its own APP1 and COM segments and a trailer.
    const jpegItem = Buffer.from('ffd8ffe10008457869660000ffdb00040000fffe0006636f6dffc000040000ffda0004000001020300ffd9747261696c', 'hex');
    add('heif', 'heif-jpeg-item', buildHeif(fixture({ brands: ['mif1', 'jpeg', 'mif1'], items: [{ id: 1, type: 'jpeg', data: jpegItem }, ...fixture().items.slice(1)] })).file);
  }
  if (wanted('mp4')) {
    try {
      add('mp4', 'action-camera', actionCameraClip());
      add('mp4', 'apple-clip', addToMovie(ffmpegClip({ metadata: { creation_time: '2024-05-01T10:11:12Z' } }), {
        userData: [assetBox('auth', 'Jane Doe'), textAtom('©day', '2024-05-01T12:11:12+0200')],
        movieBoxes: [
          appleKeysMeta({ 'com.apple.quicktime.location.ISO6709': '+48.8584+002.2945+035.000/', 'com.apple.quicktime.make': 'Apple', 'com.apple.quicktime.model': 'iPhone 15 Pro' }),
          xmpUuidBox(mp4Xmp({ latitude: '48,51.5N', longitude: '2,17.7E', city: 'Paris', make: 'Apple' })),
        ],
        tracks: [
          { trackId: 11, handler: 'camm', format: 'camm', samples: [cammGpsPacket({ latitude: 51.5, longitude: -0.12, altitude: 30 })] },
          { trackId: 12, handler: 'meta', format: 'mebx', entryExtra: mebxKeys('com.apple.quicktime.location.ISO6709'), samples: [mebxSample('+48.8584+002.2945+035.000/')] },
        ],
        topLevel: [mp4Box('free', Buffer.from('leftover: +48.8584+002.2945/ iPhone 15 Pro', 'latin1'))],
      }));
      add('mp4', 'mov-keys-faststart', ffmpegClip({ container: 'mov', metadataTags: true, faststart: true, metadata: { location: '+37.7749-122.4194/', make: 'Acme Optics', model: 'Cam-1', creation_time: '2024-05-01T10:00:00Z' } }));
      add('mp4', 'fragmented', ffmpegClip({ fragmented: true, metadata: { location: '+37.7749-122.4194/', creation_time: '2024-05-01T10:00:00Z' } }));
      // Keep-list seeds: metadata deep in the tree, slack in kept boxes, timed text with coordinates.
      const plain = ffmpegClip({});
      add('mp4', 'deep-udta-and-slack', appendToBox(appendToBox(plain, 'moov/trak[0]/mdia/minf/stbl', mp4Box('udta', textAtom('©xyz', '+48.8584+002.2945/'))), 'moov/trak[0]/tkhd', Buffer.from('N48.8584 E2.2945', 'latin1')));
      add('mp4', 'dashcam-free-gps', dashcamClip([0, 1].map((second) => freeGpsBlock(52.52, 13.405 + second * 1e-3, new Date(Date.UTC(2022, 9, 15, 8, 30, second)), 0x100)), true));
      add('mp4', 'subtitle-coordinates', ffmpegClip({ subtitles: `1\n00:00:00,000 --> 00:00:00,900\n48°51'30.1"N 2°17'40.2"E\n` }));
    } finally {
      removeScratch();
    }
  }
  if (wanted('matroska')) {
    // Hand-built: every Matroska metadata place, unknown elements, Voids, CRC slots, a trailer; then ffmpeg's own layouts.
    add('matroska', 'crafted-everything', craftedMatroska({ secret: 'Seed Secret', clusterExtra: [mkvElement(0xec, 'void data'), mkvElement(0xbf, Buffer.from('CRC!'))], trailer: mkvElement(0x5d5d, 'after the segment') }));
    try {
      add('matroska', 'ffmpeg-mkv-tags-chapters-cover', ffmpegMatroska({ metadata: { title: 'Seed Title', location: '+48.8584+002.2945/', comment: 'Seed Comment' }, trackName: 'Seed Track', chapters: ['Seed Chapter'], attachment: true, seconds: 0.5 }));
      add('matroska', 'ffmpeg-webm-live', ffmpegMatroska({ container: 'webm', live: true, metadata: { title: 'Seed Live' }, seconds: 0.5 }));
    } finally {
      removeMatroskaScratch();
    }
  }
  if (wanted('tiff')) {
    add('tiff', 'full-tiff-thumbnail', buildFullTiff({ thumbnail: exifJpeg }));
    add('tiff', 'bigtiff-geotiff-be', buildFullTiff({ bigTiff: true, geoTiff: true, littleEndian: false }));
    add('tiff', 'dng', buildDng(exifJpeg));
    add('tiff', 'jpeg-tables-hidden', await craftedJpegTiff());
  }
  if (wanted('raw-tiff')) {
    const w = new TiffWriter(true);
    const ifd0 = () => ({ entries: [{ tag: 0x010f, value: w.ascii('Canon') }, { tag: 0x0110, value: w.ascii('Canon EOS 350D DIGITAL') }, { tag: 0x8825, ifds: [{ entries: [{ tag: 0x01, value: w.ascii('N') }, { tag: 0x02, value: w.rational(37, 46, 29.7) }] }] }] });
    add('raw-tiff', 'cr2', w.build(ifd0(), undefined, Buffer.from('CR\x02\0\0\0\0\0', 'latin1')));
    const rw2 = w.build(ifd0());
    rw2.write('IIU\0', 0, 'latin1');
    add('raw-tiff', 'rw2', rw2);
    const orf = w.build(ifd0());
    orf.write('IIRO', 0, 'latin1');
    add('raw-tiff', 'orf', orf);
  }
  if (wanted('avi')) {
    for (const [name, data] of Object.entries(craftedAviSeeds(buildExifTiff()))) add('avi', name, data);
    try {
      add('avi', 'ffmpeg-mjpeg-info', ffmpegAvi({ metadata: { title: 'Seed Title', artist: 'Seed Artist' } }));
    } finally {
      removeAviScratch();
    }
  }
  if (wanted('jxl')) {
    try {
      for (const [name, data] of Object.entries(craftedJxlSeeds(codestreamOf(await cjxlImage()), buildExifTiff()))) add('jxl', name, data);
    } finally {
      removeJxlScratch();
    }
  }
  for (const [id, build] of Object.entries(scanOnlyBuilders(exifJpeg))) if (wanted(id)) add(id, id, build());
  for (const [id, build] of Object.entries(sidecarBuilders)) if (wanted(id)) add(id, id, build());
  if (wanted('xmp')) for (const [name, text] of Object.entries(xmpSeedPackets())) add('xmp', name, Buffer.from(text, 'utf8'));
  return seeds;
}

/**
 * XMP sidecars in the shapes the parser must read (structs, arrays, short forms, xml:lang, a
 * non-ASCII prefix, rdf:RDF as the root) with what the allow-lists remove (CiAdr*, licensor
 * names, face regions, keyword trees) beside develop settings they keep.
 */
function xmpSeedPackets(): Record<string, string> {
  const rdf = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
  const body =
    `<rdf:Description rdf:about="" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:ÉxÏf="http://ns.adobe.com/exif/1.0/" crs:Exposure2012="+0.50" ÉxÏf:GPSLatitude="48,51.5N" ÉxÏf:GPSLongitude="2,17.7E">` +
    `<crs:ToneCurvePV2012><rdf:Seq><rdf:li>0, 0</rdf:li><rdf:li>255, 255</rdf:li></rdf:Seq></crs:ToneCurvePV2012>` +
    `<Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource"><Iptc4xmpCore:CiAdrCity>Seedville</Iptc4xmpCore:CiAdrCity><Iptc4xmpCore:CiAdrPcode>12345</Iptc4xmpCore:CiAdrPcode><Iptc4xmpCore:CiEmailWork>seed@example.com</Iptc4xmpCore:CiEmailWork></Iptc4xmpCore:CreatorContactInfo>` +
    `<plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource"><plus:LicensorName>Seed Licensor</plus:LicensorName></rdf:li></rdf:Seq></plus:Licensor>` +
    `<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag><rdf:li><rdf:Description mwg-rs:Name="Seed Face"/></rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>` +
    `<lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|Seedland</rdf:li></rdf:Bag></lr:hierarchicalSubject>` +
    `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Seed &amp; title</rdf:li><rdf:li xml:lang="fr">Titre</rdf:li></rdf:Alt></dc:title>` +
    `</rdf:Description>`;
  return {
    'xmp-shapes': `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${rdf}">${body}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`,
    'xmp-rdf-root': `<?xml version="1.0" encoding="UTF-8"?><rdf:RDF xmlns:rdf="${rdf}">${body}</rdf:RDF>`,
  };
}

/**
 * Real files from the shared corpus smaller than `maxBytes`, keyed by the format traceless sniffs
 * for them (files it does not recognise are left out). Empty when there is no corpus.
 */
export function corpusSeeds(maxBytes = 2 * mb, only?: readonly string[]): Map<string, Seed[]> {
  const seeds = new Map<string, Seed[]>();
  const root = corpusRoot();
  const manifest = join(root, 'MANIFEST.tsv');
  if (!existsSync(manifest)) return seeds;
  const [header, ...rows] = readFileSync(manifest, 'utf8').split('\n').filter(Boolean);
  const columns = header!.split('\t');
  const pathColumn = columns.indexOf('path');
  const bytesColumn = columns.indexOf('bytes');
  for (const row of rows) {
    const cells = row.split('\t');
    const path = cells[pathColumn]!;
    if (Number(cells[bytesColumn]) >= maxBytes) continue;
    const absolute = join(root, path);
    if (!existsSync(absolute)) continue;
    const data = readFileSync(absolute);
    const id = detectFormat(data.subarray(0, 64))?.id;
    if (!id || (only && !only.includes(id))) continue;
    const list = seeds.get(id) ?? [];
    list.push({ name: `corpus:${path}`, data });
    seeds.set(id, list);
  }
  return seeds;
}

/** Code seeds plus corpus seeds (when there is a corpus), for the given formats. */
export async function allSeeds(options: { only?: readonly string[]; corpusMaxBytes?: number; corpus?: boolean } = {}): Promise<Map<string, Seed[]>> {
  const seeds = await codeSeeds(options.only);
  if (options.corpus === false) return seeds;
  for (const [id, list] of corpusSeeds(options.corpusMaxBytes ?? 2 * mb, options.only)) seeds.set(id, [...(seeds.get(id) ?? []), ...list]);
  return seeds;
}
