/**
 * The HTML report's inline style and script. Both are constants: nothing from a file is ever put
 * inside them (file text lives only in escaped element content and attributes), and the page's
 * Content-Security-Policy allows exactly these two blocks by hash and nothing else — no request
 * of any kind can leave the page.
 */

export const reportStyle = `
:root{--high:#c62828;--medium:#b26a00;--unknown:#6d4c9f;--low:#4a6382;--none:#2e7d32;--ink:#1d2330;--muted:#5f6b7a;--line:#dde3ea;--bg:#f6f8fa;--sea:#eaf2fb;--land:#d9dfe6;--hl:#fff3bf}
*{box-sizing:border-box}
body{margin:0;overflow-wrap:break-word;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
header{padding:14px 22px 10px;background:#fff;border-bottom:1px solid var(--line)}
h1{font-size:20px;margin:0 0 2px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:14px 0 6px}
.note{color:var(--muted);margin:0}
main{padding:14px 22px}
.top{display:grid;grid-template-columns:minmax(0,1fr) 330px;gap:16px;align-items:start}
@media (max-width:900px){.top{grid-template-columns:1fr}}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.mapbox{position:relative;padding:0;overflow:hidden}
#map{display:block;width:100%;height:auto;background:#fff;touch-action:none;cursor:grab}
#map.dragging{cursor:grabbing}
#map .sphere{fill:var(--sea);stroke:#b8c7d9;vector-effect:non-scaling-stroke}
#map .graticule{fill:none;stroke:#d2deeb;stroke-width:.5;vector-effect:non-scaling-stroke}
#map .countries path{fill:var(--land);stroke:#fff;stroke-width:.5;vector-effect:non-scaling-stroke}
#map .countries path.visited{fill:#bfcad6}
#map .marker{fill:var(--high);fill-opacity:.78;stroke:#fff;stroke-width:1.5;vector-effect:non-scaling-stroke;cursor:pointer}
#map .marker.placeholder{fill:#fff;fill-opacity:.6;stroke:var(--low);stroke-dasharray:2 2}
#map .marker:hover,#map .marker:focus{fill-opacity:1;stroke:var(--ink);outline:none}
#map .marker.selected{fill:#ffb300;fill-opacity:1;stroke:var(--ink);stroke-width:2.5}
.zoom{position:absolute;right:8px;top:8px;display:flex;flex-direction:column;gap:4px}
.zoom button{width:28px;height:28px;border:1px solid var(--line);border-radius:6px;background:#fff;font-size:16px;line-height:1;cursor:pointer}
.levels{display:grid;grid-template-columns:repeat(auto-fit,minmax(56px,1fr));gap:6px}
.level{border:1px solid var(--line);border-radius:8px;padding:6px 4px;text-align:center;background:#fff;cursor:pointer;font:inherit;color:inherit}
.level b{display:block;font-size:20px}
.level.off{opacity:.35}
.level{font-size:12px;hyphens:manual}
.level.high b{color:var(--high)}.level.medium b{color:var(--medium)}.level.unknown b{color:var(--unknown)}.level.low b{color:var(--low)}.level.none b{color:var(--none)}
.list{list-style:none;margin:0;padding:0;max-height:180px;overflow:auto}
.list li{display:flex;justify-content:space-between;gap:8px;padding:2px 0;border-bottom:1px dashed var(--line)}
.list .count{color:var(--muted);white-space:nowrap}
.linkish{border:0;background:none;padding:0;font:inherit;color:#0b5cad;cursor:pointer;text-align:left}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;gap:10px;margin:14px 0 8px}
.toolbar input[type=search]{flex:1 1 260px;max-width:420px;padding:7px 10px;border:1px solid var(--line);border-radius:6px;font:inherit}
#selection{background:var(--hl);border:1px solid #e6c94f;border-radius:6px;padding:4px 8px}
#selection button{margin-left:6px}
#shown{color:var(--muted)}
.tablebox{background:#fff;border:1px solid var(--line);border-radius:8px;max-height:75vh;overflow:auto}
table{border-collapse:collapse;width:100%}
th{position:sticky;top:0;background:#f0f3f6;text-align:left;font-weight:600;padding:6px 8px;border-bottom:1px solid var(--line);z-index:1}
td{padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
tr.hl td{background:var(--hl)}
td.thumb{width:60px}
.thumb img,.ph{display:block;width:48px;height:48px;object-fit:contain;border-radius:4px;background:#eef1f4}
.ph{font-size:10px;color:var(--muted);display:flex;align-items:center;justify-content:center;text-align:center;overflow:hidden}
.name{font-weight:600;overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:12px}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:700;color:#fff;text-transform:uppercase}
.badge.unknown{background:var(--unknown)}.badge.high{background:var(--high)}.badge.medium{background:var(--medium)}.badge.low{background:var(--low)}.badge.none{background:var(--none)}
.why{margin:0;padding-left:16px;max-width:460px}
.why li.unknown::marker{color:var(--unknown)}.why li.high::marker{color:var(--high)}.why li.medium::marker{color:var(--medium)}
.chip{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 7px;margin:0 4px 3px 0;background:#fff;font:inherit;font-size:12px;cursor:pointer}
.chip:hover{border-color:var(--ink)}
details summary{cursor:pointer;color:#0b5cad}
details ul{margin:4px 0 0;padding-left:16px;font-size:12px;max-width:520px}
.where{color:var(--muted);overflow-wrap:anywhere}
.list li>*:first-child{min-width:0}
@media (max-width:800px){header,main{padding-left:10px;padding-right:10px}.tablebox{max-height:none;overflow:visible}table,tbody,tr,td{display:block;width:100%}thead{display:none}tr{border-bottom:2px solid var(--line);padding:6px 0}td{border:0;padding:3px 8px}td.thumb{float:left;width:60px}.why,details ul{max-width:none}}
footer{padding:8px 22px 24px;color:var(--muted);font-size:12px}
`;

export const reportScript = `
(() => {
  'use strict';
  const svg = document.getElementById('map');
  const box = document.querySelector('.tablebox');
  const rows = Array.from(document.querySelectorAll('#files tbody tr'));
  const markers = new Map();
  for (const marker of document.querySelectorAll('#map .marker')) markers.set(marker.getAttribute('data-place'), marker);
  const rowsByPlace = new Map();
  for (const row of rows) {
    for (const id of (row.getAttribute('data-places') || '').split(' ')) {
      if (!id) continue;
      if (!rowsByPlace.has(id)) rowsByPlace.set(id, []);
      rowsByPlace.get(id).push(row);
    }
  }
  const selection = document.getElementById('selection');
  const shown = document.getElementById('shown');
  const search = document.getElementById('filter');
  const onlySelected = document.getElementById('only-selected');
  const levelsOff = new Set();
  let selected = null;
  let texts = null;

  function applyFilters() {
    const query = search.value.trim().toLowerCase();
    if (query && !texts) texts = rows.map((row) => row.textContent.toLowerCase());
    const picked = selected && onlySelected.checked ? new Set(rowsByPlace.get(selected) || []) : null;
    let count = 0;
    rows.forEach((row, index) => {
      const visible = !levelsOff.has(row.getAttribute('data-risk')) && (!query || texts[index].includes(query)) && (!picked || picked.has(row));
      row.hidden = !visible;
      if (visible) count += 1;
    });
    shown.textContent = 'Showing ' + count + ' of ' + rows.length + ' file' + (rows.length === 1 ? '' : 's');
  }

  function select(id) {
    if (selected) {
      const old = markers.get(selected);
      if (old) old.classList.remove('selected');
      for (const row of rowsByPlace.get(selected) || []) row.classList.remove('hl');
    }
    if (!id || id === selected) {
      selected = null;
      selection.hidden = true;
      applyFilters();
      return;
    }
    selected = id;
    const marker = markers.get(id);
    const hits = rowsByPlace.get(id) || [];
    if (marker) {
      marker.classList.add('selected');
      marker.parentNode.appendChild(marker);
    }
    for (const row of hits) row.classList.add('hl');
    const label = marker ? marker.getAttribute('aria-label') : id;
    /* "2 files near Paris, …" when the place is named after a town, "2 files at France — …" otherwise. */
    selection.querySelector('.what').textContent = hits.length + ' file' + (hits.length === 1 ? '' : 's') + (label.indexOf('near ') === 0 ? ' ' : ' at ') + label;
    selection.hidden = false;
    applyFilters();
    const first = hits.find((row) => !row.hidden);
    if (first) box.scrollTop = first.offsetTop - box.querySelector('thead').offsetHeight;
  }

  /* Map: click or Enter on a marker selects its place; wheel, drag and buttons zoom and pan. */
  const width = svg.viewBox.baseVal.width;
  const height = svg.viewBox.baseVal.height;
  let view = [0, 0, width, height];
  function setView(next) {
    const w = Math.min(width, Math.max(width / 512, next[2]));
    const h = w * height / width;
    const x = Math.min(width - w, Math.max(0, next[0]));
    const y = Math.min(height - h, Math.max(0, next[1]));
    view = [x, y, w, h];
    svg.setAttribute('viewBox', view.join(' '));
    /* Markers keep their size on screen, so places a kilometre apart come apart when zoomed in. */
    const scale = w / width;
    for (const marker of markers.values()) marker.setAttribute('r', String(Number(marker.getAttribute('data-r')) * scale));
  }
  function zoomAt(factor, cx, cy) {
    const w = view[2] * factor;
    setView([cx - (cx - view[0]) * factor, cy - (cy - view[1]) * factor, w]);
  }
  function toMap(event) {
    const rect = svg.getBoundingClientRect();
    return [view[0] + (event.clientX - rect.left) / rect.width * view[2], view[1] + (event.clientY - rect.top) / rect.height * view[3]];
  }
  svg.addEventListener('wheel', (event) => {
    event.preventDefault();
    const [cx, cy] = toMap(event);
    zoomAt(event.deltaY < 0 ? 0.8 : 1.25, cx, cy);
  }, { passive: false });
  let drag = null;
  svg.addEventListener('pointerdown', (event) => {
    drag = { x: event.clientX, y: event.clientY, view: view.slice(), moved: false };
  });
  svg.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!drag.moved) { drag.moved = true; svg.setPointerCapture(event.pointerId); svg.classList.add('dragging'); }
    const perPixel = view[2] / svg.getBoundingClientRect().width;
    setView([drag.view[0] - dx * perPixel, drag.view[1] - dy * perPixel, drag.view[2]]);
  });
  const endDrag = () => { svg.classList.remove('dragging'); setTimeout(() => { drag = null; }, 0); };
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);
  svg.addEventListener('click', (event) => {
    if (drag && drag.moved) return;
    const marker = event.target.closest && event.target.closest('.marker');
    if (marker) select(marker.getAttribute('data-place'));
  });
  svg.addEventListener('keydown', (event) => {
    const marker = event.target.closest && event.target.closest('.marker');
    if (marker && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); select(marker.getAttribute('data-place')); }
  });
  document.getElementById('zoom-in').addEventListener('click', () => zoomAt(0.6, view[0] + view[2] / 2, view[1] + view[3] / 2));
  document.getElementById('zoom-out').addEventListener('click', () => zoomAt(1 / 0.6, view[0] + view[2] / 2, view[1] + view[3] / 2));
  document.getElementById('zoom-reset').addEventListener('click', () => setView([0, 0, width]));

  /* Place buttons in the table and the side panel select the same place as its marker. */
  document.addEventListener('click', (event) => {
    const chip = event.target.closest && event.target.closest('button[data-place]');
    if (chip) select(chip.getAttribute('data-place'));
  });
  document.getElementById('clear-selection').addEventListener('click', () => select(null));
  onlySelected.addEventListener('change', applyFilters);
  for (const button of document.querySelectorAll('button.level')) {
    button.addEventListener('click', () => {
      const level = button.getAttribute('data-level');
      if (levelsOff.has(level)) levelsOff.delete(level); else levelsOff.add(level);
      button.classList.toggle('off', levelsOff.has(level));
      button.setAttribute('aria-pressed', String(!levelsOff.has(level)));
      applyFilters();
    });
  }
  let timer = 0;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(applyFilters, 120); });
  applyFilters();
})();
`;
