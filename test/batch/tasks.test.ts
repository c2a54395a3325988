/**
 * Scan tasks report each file where it was read: the text and a digest come back, the whole
 * inspection only for the HTML report; in worker threads exactly as in the calling thread.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTasks, workersAvailable } from '../../src/batch/pool.js';
import { runTask, type Task, type TaskResult } from '../../src/batch/tasks.js';
import { inspectSync } from '../../src/inspect.js';
import { reportFile } from '../../src/report/file-report.js';
import { basePixelsJpeg, phoneJpeg } from '../fixtures/jpeg.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-tasks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const paths: string[] = [];

beforeAll(async () => {
  const phone = await phoneJpeg();
  const bare = await basePixelsJpeg();
  for (let index = 0; index < 6; index++) {
    const path = join(work, `IMG_${index}.jpg`);
    writeFileSync(path, index % 2 === 0 ? phone : bare);
    paths.push(path);
  }
  const notMedia = join(work, 'notes.txt');
  writeFileSync(notMedia, 'just text');
  paths.push(notMedia);
});

const scanResult = (result: TaskResult) => {
  if (result.kind !== 'scan') throw new Error('a scan task gave a clean result');
  return result;
};

describe('scan tasks', () => {
  it('come back with the printed text and the digest; the inspection only when asked for', () => {
    for (const json of [true, false]) {
      const result = scanResult(runTask({ kind: 'scan', id: 0, path: paths[0]!, report: { json, keepInspection: false } }));
      const expected = reportFile(inspectSync(paths[0]!), { json });
      expect(result.error).toBeNull();
      expect(result.inspection).toBeNull();
      expect(result.report).toEqual({ ...expected, formatId: 'jpeg' });
    }
    const kept = scanResult(runTask({ kind: 'scan', id: 0, path: paths[0]!, report: { keepInspection: true } }));
    expect(kept.inspection).toEqual(inspectSync(paths[0]!));
    const unknown = scanResult(runTask({ kind: 'scan', id: 0, path: paths.at(-1)!, report: { keepInspection: false } }));
    expect(unknown.report?.formatId).toBe('unknown');
    const missing = scanResult(runTask({ kind: 'scan', id: 0, path: join(work, 'gone.jpg'), report: { keepInspection: false } }));
    expect(missing.report).toBeUndefined();
    expect(missing.error?.code).toBe('IO_ERROR');
  });

  it.skipIf(!workersAvailable())('give in worker threads what they give in this one', async () => {
    for (const report of [{ json: true, keepInspection: false }, { keepInspection: true }]) {
      const tasks: Task[] = paths.map((path, id) => ({ kind: 'scan', id, path, report }));
      const threaded: TaskResult[] = [];
      await runTasks(tasks, 2, (result) => threaded.push(result));
      expect(threaded).toHaveLength(tasks.length);
      const byId = threaded.sort((a, b) => a.id - b.id);
      expect(byId).toEqual(tasks.map((task) => runTask(task)));
    }
  }, 60_000);
});
