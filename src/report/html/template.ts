/**
 * The HTML report: one self-contained page with a world map of every location found, the risk
 * of every file at a glance, and a table of files with their findings. Built as one string; every
 * piece of text from a file goes through escapeHtml. Thousands of files stay usable: one marker
 * per distinct ~1 km place (with a count), compact rows, a filter box, findings folded away.
 */
import { formatBytes } from '../format.js';
import type { Inspection } from '../../types.js';
import { deviceOf } from '../device.js';
import { describePlace, roundPlace } from '../places.js';
import { assessRisk, riskLevels, type RiskAssessment, type RiskLevel } from '../risk.js';
import { summariseScans, type ScanError, type ScanSummary } from '../summary.js';
import { findingText, levelHeading, revealedCategories, whyLine } from '../text.js';
import { takenTime } from '../when.js';
import { reportScript, reportStyle } from './assets.js';
import { escapeHtml } from './escape.js';
import { renderMap, type MapPlace, type MapTrack } from './map.js';
import { crypto } from '../../io/builtins.js';

export interface HtmlEntry {
  inspection: Inspection;
  /** A `data:` URI of a metadata-free preview, or null for a placeholder. */
  thumbnail?: string | null;
}

export interface HtmlReportOptions {
  title?: string;
  /** Shown in the header; left out when not given (so the same input gives the same page). */
  generatedAt?: Date;
  /** Findings listed per file before "and N more" (keeps huge files from bloating the page). */
  findingsPerFile?: number;
  /** Files given that could not be read at all: listed too, with why. */
  unreadable?: readonly ScanError[];
  /** The scan's summary (the text summary's numbers); computed from the entries when left out. */
  summary?: ScanSummary;
}

const levelNames: Record<RiskLevel, string> = { high: 'High', medium: 'Medium', unknown: 'Not checked', low: 'Low', none: 'None' };
const placesListed = 15;
const devicesListed = 10;
const reasonsShown = 4;

/** `'sha256-…'` of an inline block, for the Content-Security-Policy. */
function cspHash(content: string): string {
  return `'sha256-${crypto().createHash('sha256').update(content, 'utf8').digest('base64')}'`;
}

/** Only `data:image/…;base64,` URIs of our own making pass; anything else becomes the placeholder. */
function safeThumbnail(uri: string | null | undefined): string | undefined {
  return uri && /^data:image\/(webp|jpeg|png);base64,[A-Za-z0-9+/=]+$/.test(uri) ? uri : undefined;
}

/** The GPS tracks of every file, each tied to the place of its first fix. */
function tracksOf(rows: readonly Row[], places: ReadonlyMap<string, MapPlace>): MapTrack[] {
  return rows.flatMap((row) =>
    ('inspection' in row.entry ? row.entry.inspection.locations : []).flatMap((location) => (location.track ? [{ path: location.track.path, placeId: places.get(roundPlace(location.latitude, location.longitude).key)?.id }] : [])),
  ).map((track) => (track.placeId ? track : { path: track.path }));
}

interface Row {
  entry: HtmlEntry | { error: ScanError };
  risk: RiskAssessment;
  placeIds: string[];
  order: number;
}

export function renderHtmlReport(entries: readonly HtmlEntry[], options: HtmlReportOptions = {}): string {
  const places = new Map<string, MapPlace & { key: string }>();
  const unreadable = options.unreadable ?? [];
  // The numbers of the page are the text summary's: one function computes both.
  const summary = options.summary ?? summariseScans(entries.map((entry) => entry.inspection), unreadable, 0);
  const rows: Row[] = entries.map((entry, order) => {
    const { inspection } = entry;
    const placeIds: string[] = [];
    for (const location of inspection.locations) {
      const rounded = roundPlace(location.latitude, location.longitude);
      let place = places.get(rounded.key);
      if (!place) {
        const name = describePlace(location.latitude, location.longitude);
        place = { key: rounded.key, id: `p${places.size}`, latitude: rounded.latitude, longitude: rounded.longitude, placeName: name.text, files: 0, placeholder: name.kind === 'placeholder' };
        if (name.countryNumeric) place.countryNumeric = name.countryNumeric;
        places.set(rounded.key, place);
      }
      if (!placeIds.includes(place.id)) {
        placeIds.push(place.id);
        place.files += 1;
      }
    }
    return { entry, risk: assessRisk(inspection), placeIds, order };
  });
  unreadable.forEach((error, index) => {
    rows.push({ entry: { error }, risk: { level: 'unknown', reasons: [{ level: 'unknown', code: 'unreadable', text: `could not be read: ${error.reason}` }], incomplete: true }, placeIds: [], order: entries.length + index });
  });
  rows.sort((a, b) => riskLevels.indexOf(a.risk.level) - riskLevels.indexOf(b.risk.level) || a.order - b.order);
  const placeList = [...places.values()];
  const counts = summary.risk;
  const title = options.title ?? 'traceless report';
  const byId = new Map(placeList.map((place) => [place.id, place]));

  const levelButtons = riskLevels.map((level) => `<button type="button" class="level ${level}" data-level="${level}" aria-pressed="true"><b>${counts[level]}</b>${levelNames[level]}</button>`).join('');
  const topPlaces = [...placeList].sort((a, b) => b.files - a.files).slice(0, placesListed);
  const placeItems = topPlaces.map((place) => `<li><button type="button" class="linkish" data-place="${place.id}">${escapeHtml(place.placeName, 120)}</button><span class="count">${place.latitude.toFixed(2)}, ${place.longitude.toFixed(2)} · ${place.files}</span></li>`).join('');
  const deviceItems = summary.devices.slice(0, devicesListed).map(({ device, files }) => `<li><span>${escapeHtml(device, 120)}</span><span class="count">${files}</span></li>`).join('');
  const tableRows = rows.map((row) => renderRow(row, byId, options.findingsPerFile ?? 40)).join('\n');
  const revealing = summary.revealingLocation;
  const problems = [summary.unreadable ? `${summary.unreadable} could not be read` : '', summary.notReadInFull.length ? `${summary.notReadInFull.length} not read in full` : ''].filter(Boolean);

  const csp = `default-src 'none'; img-src data:; style-src ${cspHash(reportStyle)}; script-src ${cspHash(reportScript)}; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title, 200)}</title>
<style>${reportStyle}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title, 200)}</h1>
<p class="note" id="totals"><span data-count="files">${summary.files + summary.unreadable}</span> file${summary.files + summary.unreadable === 1 ? '' : 's'}, <span data-count="location">${revealing}</span> with a location${problems.length ? `, ${problems.join(', ')}` : ''}, <span data-count="places">${summary.places.length}</span> distinct place${summary.places.length === 1 ? '' : 's'} (rounded to ~1 km)${options.generatedAt ? `, made ${escapeHtml(options.generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC` : ''}. This page shows everything traceless found: keep it as private as the files themselves. It was made offline and loads nothing from anywhere.</p>
</header>
<main>
<div class="top">
<div class="panel mapbox">${renderMap(placeList, tracksOf(rows, places))}<div class="zoom"><button type="button" id="zoom-in" title="Zoom in" aria-label="Zoom in">+</button><button type="button" id="zoom-out" title="Zoom out" aria-label="Zoom out">−</button><button type="button" id="zoom-reset" title="Whole world" aria-label="Whole world">⌂</button></div></div>
<aside class="panel">
<h2>Risk</h2>
<div class="levels">${levelButtons}</div>
<h2>Places (${summary.places.length})</h2>
${placeItems ? `<ul class="list" id="places">${placeItems}</ul>` : '<p class="note">No location found.</p>'}
<h2>Devices (${summary.devices.length})</h2>
${deviceItems ? `<ul class="list" id="devices">${deviceItems}</ul>` : '<p class="note">No device named.</p>'}
</aside>
</div>
<div class="toolbar">
<input type="search" id="filter" placeholder="Filter: file, place, device, finding…" aria-label="Filter the files">
<span id="selection" hidden><span class="what"></span><label><input type="checkbox" id="only-selected"> only these</label><button type="button" id="clear-selection">Clear</button></span>
<span id="shown"></span>
</div>
<div class="tablebox">
<table id="files">
<thead><tr><th></th><th>File</th><th>Risk</th><th>Why</th><th>Places</th><th>Device</th><th>Findings</th></tr></thead>
<tbody>
${tableRows}
</tbody>
</table>
</div>
</main>
<footer>Risk levels: high — a precise location or a serial number that ties photos to one device; medium — device model, dates and times, owner names, place names, thumbnails; not checked — a file traceless could not read, or not in full, so it cannot be called safe; low — software, colour profile, other data. Thumbnails were made for this page and carry no metadata.</footer>
<script>${reportScript}</script>
</body>
</html>
`;
}

function renderRow(row: Row, places: ReadonlyMap<string, MapPlace>, findingsPerFile: number): string {
  if ('error' in row.entry) {
    const { error } = row.entry;
    return `<tr data-risk="unknown"><td class="thumb"><div class="ph">?</div></td><td><div class="name">${escapeHtml(error.file)}</div><div class="meta">could not be read</div></td><td><span class="badge unknown">${levelNames.unknown}</span></td><td><ul class="why"><li class="unknown">${escapeHtml(`could not be read: ${error.reason}`, 400)}</li></ul></td><td></td><td></td><td><span class="meta">none</span></td></tr>`;
  }
  const { inspection } = row.entry;
  const level = row.risk.level;
  const thumbnail = safeThumbnail(row.entry.thumbnail);
  const thumb = thumbnail ? `<img alt="" loading="lazy" src="${thumbnail}">` : `<div class="ph">${escapeHtml(inspection.format.name, 24)}</div>`;
  const revealed = revealedCategories(inspection);
  const reasons = row.risk.reasons.slice(0, reasonsShown).map((reason) => `<li class="${reason.level}">${escapeHtml(reason.text, 240)}</li>`).join('');
  const moreReasons = row.risk.reasons.length > reasonsShown ? `<li>and ${row.risk.reasons.length - reasonsShown} more</li>` : '';
  const why = reasons ? `<ul class="why">${reasons}${moreReasons}</ul>` : `<span class="meta">${escapeHtml(whyLine(inspection, row.risk))}</span>`;
  const chips = row.placeIds.map((id) => `<button type="button" class="chip" data-place="${id}">${escapeHtml(places.get(id)?.placeName ?? id, 80)}</button>`).join('');
  const taken = takenTime(inspection);
  const device = deviceOf(inspection);
  const listed = inspection.findings.slice(0, findingsPerFile).map((finding) => `<li>${escapeHtml(finding.label, 80)}: ${escapeHtml(findingText(finding), 160)} <span class="where">${escapeHtml(finding.where, 80)}</span>${finding.retained ? ' <span class="meta">(kept)</span>' : ''}</li>`).join('');
  const extra = inspection.findings.length > findingsPerFile ? `<li>and ${inspection.findings.length - findingsPerFile} more</li>` : '';
  const findings = inspection.findings.length ? `<details><summary>${inspection.findings.length} finding${inspection.findings.length === 1 ? '' : 's'}${revealed.length ? `: ${revealed.join(', ')}` : ''}</summary><ul>${listed}${extra}</ul></details>` : '<span class="meta">none</span>';
  const badge = level === 'unknown' ? escapeHtml(levelHeading(inspection, row.risk).toLowerCase()) : level;
  return `<tr data-risk="${level}"${row.placeIds.length ? ` data-places="${row.placeIds.join(' ')}"` : ''}><td class="thumb">${thumb}</td><td><div class="name">${escapeHtml(inspection.file)}</div><div class="meta">${escapeHtml(inspection.format.name, 40)} · ${formatBytes(inspection.size)}</div></td><td><span class="badge ${level}">${badge}</span></td><td>${why}</td><td>${chips}${taken ? `<div class="meta">taken ${escapeHtml(taken, 40)}</div>` : ''}</td><td>${device ? escapeHtml(device, 120) : ''}</td><td>${findings}</td></tr>`;
}
