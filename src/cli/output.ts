/** Where the CLI writes: stdout for results, stderr for messages. Kept injectable for tests. */
import { writeSync } from 'node:fs';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const stdoutFd = 1;
const stderrFd = 2;
/** For a short sleep when a non-blocking pipe is full (EAGAIN). */
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes straight to the descriptor, as `process.stdout` does for files and pipes on Linux, but
 * without creating the stream: building `process.stdout` loads Node's stream, net and tty modules
 * (5–15 ms of a one-photo scan, most of it when stdout is a pipe or a terminal). A reader that has
 * gone away (`traceless scan DIR | head -1`) ends the run quietly with the usual exit code.
 */
function writeLine(fd: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  for (let done = 0; done < data.length; ) {
    try {
      done += writeSync(fd, data, done, data.length - done);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    }
  }
}

export const processOutput: Output = {
  out: (line) => writeLine(stdoutFd, `${line}\n`),
  err: (line) => writeLine(stderrFd, `${line}\n`),
};
