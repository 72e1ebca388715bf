// Long command output must not be lost to a chat preview: when /sh or /py output is longer than the
// chat text shows, the whole output (up to the sandbox's output cap, whose marker says what was
// dropped beyond it) goes with the reply as a .txt document, on every channel.

import { humanSize } from './chat-format.js';

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

export interface FullOutput {
  file: { name: string; data: Buffer };
  /** One line for the chat text, naming the document and its size. */
  note: string;
}

/**
 * The document to attach, or undefined when the preview already shows everything. `shown` is how
 * many characters of each stream the preview can hold before it cuts.
 */
export function fullOutput(
  command: string,
  output: CommandOutput,
  shown: { stdout: number; stderr: number },
): FullOutput | undefined {
  const { stdout, stderr } = output;
  if (stdout.length <= shown.stdout && stderr.length <= shown.stderr) return undefined;
  const body = stderr.trim()
    ? `${stdout}${stdout.endsWith('\n') ? '' : '\n'}\n----- stderr -----\n${stderr}`
    : stdout;
  const data = Buffer.from(body, 'utf8');
  const name = `${command}-output.txt`;
  return { file: { name, data }, note: `Full output (${humanSize(data.length)}) attached as ${name}.` };
}
