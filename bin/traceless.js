#!/usr/bin/env node
// The command line: a thin shim over the library's CLI module (bundled into one file by
// `npm run build` for a fast start; the compiled modules are the fallback).
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/bundle/cli.js', import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : '../dist/src/cli/main.js');
process.exitCode = await main(process.argv);
