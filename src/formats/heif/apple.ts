/** Apple's maker note moved to src/decode/makernotes/apple.ts (read for every EXIF structure); kept here for existing imports. */
export * from '../../decode/makernotes/apple.js';
