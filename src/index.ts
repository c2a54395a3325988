/**
 * traceless — what photos and videos give away, and clean lossless copies without it.
 *
 * @example
 * import { inspect, clean, verify } from 'traceless';
 * const report = await inspect('IMG_1234.jpg');
 * const result = await clean('IMG_1234.jpg', 'IMG_1234.clean.jpg', { only: 'location' });
 * // The async calls run on a shared pool of worker threads; the *Sync variants on the caller's.
 */
export { inspectSync } from './inspect.js';
export { cleanSync, cleanBufferSync } from './clean.js';
export { inspect, clean, cleanBuffer, verify, type AsyncCleanOptions, type TransferOption } from './library/api.js';
export { cleanStream, cleanWebStream, type CleanStream, type CleanWebStream, type StreamCleanOptions } from './library/stream.js';
export { shutdown, WorkerPool, type WorkerPoolOptions } from './batch/pool.js';
export { verifySync, type VerifyOptions } from './library/tasks.js';
export type { InspectOptions } from './inspect.js';
export { formats, detectFormat } from './formats/index.js';
export { TracelessError, isTracelessError, type ErrorCode } from './errors.js';
export { limits } from './limits.js';
export type * from './types.js';
export { categoryOrder } from './types.js';
export { describePlace, type PlaceName, type PlaceKind } from './report/places.js';
export { assessRisk, riskLevels, type RiskAssessment, type RiskLevel, type RiskReason, type RiskCode } from './report/risk.js';
export { annotateInspection, type ReportedInspection, type NamedLocation } from './report/annotate.js';
export { buildHtmlReport, renderHtmlReport, type HtmlSource, type HtmlEntry, type BuildHtmlOptions, type HtmlReportOptions } from './report/html/index.js';
