/** One file's printed report and digest, as scan's workers make them (src/report/file-report.ts). */
import { describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/inspect.js';
import { inspectionJson, renderFileText, reportFile } from '../../src/report/file-report.js';
import { assessRisk } from '../../src/report/risk.js';
import { digestScan } from '../../src/report/summary.js';
import { basePixelsJpeg, phoneJpeg } from '../fixtures/jpeg.js';

describe('reportFile', () => {
  it('prints what scan prints for the file, from one risk assessment, with its digest', async () => {
    const phone = { ...inspectSync(await phoneJpeg(), 'phone.jpg'), file: 'phone.jpg' };
    const risk = assessRisk(phone);
    const json = reportFile(phone, { json: true });
    expect(json.text).toBe(inspectionJson(phone, risk));
    expect(JSON.parse(json.text!)).toMatchObject({ file: 'phone.jpg', risk: { level: 'high' } });
    expect(json.digest).toEqual(digestScan(phone, risk));
    expect(reportFile(phone, {}).text).toBe(renderFileText(phone, {}, risk));
    expect(reportFile(phone, {}).text).toContain('HIGH RISK');
    expect(reportFile(phone, { details: true }).text!.length).toBeGreaterThan(reportFile(phone, {}).text!.length);
    // --summary and --quiet: the headline, one line.
    expect(reportFile(phone, { summary: true }).text!.trim().split('\n')).toHaveLength(1);
    expect(reportFile(phone, { quiet: true }).text).toBe(reportFile(phone, { summary: true }).text);
  });

  it('prints nothing with --quiet for a file that reveals nothing, yet still counts it', async () => {
    const bare = { ...inspectSync(await basePixelsJpeg(), 'bare.jpg'), file: 'bare.jpg' };
    expect(assessRisk(bare).level).toBe('none');
    const quiet = reportFile(bare, { quiet: true });
    expect(quiet.text).toBeUndefined();
    expect(quiet.digest).toMatchObject({ file: 'bare.jpg', level: 'none' });
    expect(reportFile(bare, { quiet: true, summary: true }).text).toBeDefined();
  });
});
