/** A scan task whose file was read but could not be reported on: traceless's own bug, said as INTERNAL for that file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { basePixelsJpeg } from '../fixtures/jpeg.js';

vi.mock('../../src/report/file-report.js', () => ({
  reportFile: () => {
    const error = new Error('EACCES: a reporting step failed') as NodeJS.ErrnoException;
    error.code = 'EACCES';
    throw error;
  },
}));

const { runTask } = await import('../../src/batch/tasks.js');
const work = mkdtempSync(join(tmpdir(), 'traceless-task-failure-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a scan task that cannot report on a file it read', () => {
  it('gives an INTERNAL error for that file, never one blamed on the file', async () => {
    const path = join(work, 'photo.jpg');
    writeFileSync(path, await basePixelsJpeg());
    const result = runTask({ kind: 'scan', id: 4, path, report: { keepInspection: true } });
    expect(result).toMatchObject({ kind: 'scan', id: 4, inspection: null });
    if (result.kind !== 'scan') throw new Error('a scan task gave a clean result');
    expect(result.report).toBeUndefined();
    expect(result.error?.code).toBe('INTERNAL');
    expect(result.error?.message).toContain(path);
    expect(result.error?.message).toContain('while reporting on this file: EACCES: a reporting step failed');
  });
});
