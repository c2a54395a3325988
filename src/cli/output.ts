/** Where the CLI writes: stdout for results, stderr for messages. Kept injectable for tests. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Writes nothing more once the reader has gone away (a closed pipe ends the run quietly, see bin/). */
function safeWrite(stream: NodeJS.WriteStream, text: string): void {
  if (stream.destroyed || stream.writableEnded) return;
  stream.write(text);
}

export const processOutput: Output = {
  out: (line) => safeWrite(process.stdout, `${line}\n`),
  err: (line) => safeWrite(process.stderr, `${line}\n`),
};
