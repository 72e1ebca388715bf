// The gateway side of one long-lived Python context (src/sandbox/runtime/driver.py), independent of how
// the driver's stdin/stdout are carried (local supervisor pipes or Daytona session input/logs).
// Runs are serialized; a timeout interrupts (SIGINT in the driver), then kills and restarts the context.
// The timeout counts only while no host call is in flight (a host call may be a whole sub-agent), and
// each host call gets a signal that aborts when its run ends first (cancel, kill, interpreter death).

import type { Logger } from 'pino';
import { cutText } from '../text/cut.js';
import { LineSplitter, parseDriverLine, toChart } from './driver-protocol.js';
import { TRUNCATED } from './output-cap.js';
import type { CodeError, CodeRunResult, HostCallHandler, RunCodeOptions } from './provider.js';

export interface DriverTransport {
  /** Deliver one protocol line (no trailing newline) to the driver's stdin, in order. */
  send(line: string): Promise<void>;
  /** Stop the interpreter for good. */
  kill(): Promise<void>;
}

export interface DriverHandlers {
  /** Raw protocol text from the driver's stdout, in any chunking. */
  onData(text: string): void;
  /** Diagnostics the driver wrote to its real stderr. */
  onDiagnostics?(text: string): void;
  onExit(reason: string): void;
}

export type StartDriver = (handlers: DriverHandlers) => Promise<DriverTransport>;

export interface CodeSessionOptions {
  start: StartDriver;
  log: Logger;
  defaultTimeoutMs: number;
  /** Characters kept per stream of one run (sandbox.outputMaxBytes). */
  outputCap: number;
  /** How long an interrupted run may take to stop before the context is killed (sandbox.interruptGraceMs). */
  interruptGraceMs: number;
  readyTimeoutMs?: number;
}

interface Driver {
  transport: DriverTransport;
  generation: number;
  ready: Promise<void>;
}

interface RunState {
  id: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  opts: RunCodeOptions;
  why?: 'timeout' | 'cancel';
  timeoutMs: number;
  /** Aborted when the run ends: every host call still in flight for it is abandoned. */
  hostCalls: AbortController;
  /** A host call started (the timeout pauses) or ended (it resumes with the time left). */
  hostCallStarted(): void;
  hostCallEnded(): void;
  finish(result: CodeRunResult): void;
}

export class CodeSession {
  private driver?: Driver;
  private generation = 0;
  private nextRunId = 1;
  private current?: RunState;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: CodeSessionOptions) {}

  run(code: string, opts: RunCodeOptions = {}): Promise<CodeRunResult> {
    const next = this.queue.then(() => this.runNow(code, opts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Starts the interpreter now rather than on the first run; rejects when it cannot start. */
  async start(): Promise<void> {
    await this.ensureDriver();
  }

  async close(): Promise<void> {
    this.closed = true;
    const d = this.driver;
    this.driver = undefined;
    const run = this.current;
    if (run) run.finish(this.result(run, diedError('the sandbox was stopped'), [], false));
    if (d) await d.transport.kill().catch(() => undefined);
  }

  private async ensureDriver(): Promise<Driver> {
    if (this.closed) throw new Error('code context is closed');
    if (this.driver) return this.driver;
    const generation = ++this.generation;
    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    ready.catch(() => undefined); // an early exit is reported by the race below, not as unhandled

    const splitter = new LineSplitter((line) => this.onLine(generation, line, markReady));
    const transport = await this.o.start({
      onData: (text) => splitter.push(text),
      onDiagnostics: (text) => this.o.log.debug({ text: cutText(text, 2000) }, 'python driver stderr'),
      onExit: (reason) => {
        failReady(new Error(`python interpreter exited before it was ready: ${reason}`));
        this.onExit(generation, reason);
      },
    });
    if (this.closed) {
      // Closed while its interpreter was starting: that one must not outlive the context.
      await transport.kill().catch(() => undefined);
      throw new Error('code context is closed');
    }
    const driver: Driver = { transport, generation, ready };
    this.driver = driver;
    const readyTimeout = this.o.readyTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ready,
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new Error('python interpreter did not start in time')), readyTimeout);
        }),
      ]);
    } catch (err) {
      if (this.driver === driver) this.driver = undefined;
      await transport.kill().catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return driver;
  }

  private async runNow(code: string, opts: RunCodeOptions): Promise<CodeRunResult> {
    if (opts.signal?.aborted) return cancelledResult('cancelled before it started');
    let driver: Driver;
    try {
      driver = await this.ensureDriver();
    } catch (err) {
      // Deleted (or its sandbox stopped) while this run waited its turn: it ends like a run inside.
      if (this.closed)
        return { stdout: '', stderr: '', charts: [], error: diedError('its context was closed') };
      throw err;
    }
    const id = this.nextRunId++;
    const timeoutMs = opts.timeoutMs ?? this.o.defaultTimeoutMs;
    const cap = this.o.outputCap;
    return await new Promise<CodeRunResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      let left = timeoutMs;
      let countingSince = 0;
      let inFlight = 0;
      const startClock = () => {
        countingSince = performance.now();
        timer = setTimeout(() => stopRun('timeout'), Math.max(0, left));
      };
      const onAbort = () => stopRun('cancel');
      const state: RunState = {
        id,
        stdout: '',
        stderr: '',
        truncated: false,
        opts,
        timeoutMs,
        hostCalls: new AbortController(),
        hostCallStarted: () => {
          if (inFlight++ > 0 || state.why || !timer) return;
          clearTimeout(timer);
          timer = undefined;
          left -= performance.now() - countingSince;
        },
        hostCallEnded: () => {
          if (--inFlight > 0 || state.why || this.current !== state) return;
          startClock();
        },
        finish: (result) => {
          clearTimeout(timer);
          clearTimeout(grace);
          opts.signal?.removeEventListener('abort', onAbort);
          if (this.current === state) this.current = undefined;
          state.hostCalls.abort(new Error('the code run ended'));
          resolve(result);
        },
      };
      const stopRun = (why: 'timeout' | 'cancel') => {
        if (state.why || this.current !== state) return;
        state.why = why;
        if (why === 'cancel') state.hostCalls.abort(opts.signal?.reason ?? new Error('cancelled'));
        void driver.transport.send(JSON.stringify({ type: 'interrupt', id })).catch(() => undefined);
        grace = setTimeout(() => {
          // The code ignored the interrupt: kill the context; the next run starts a fresh one.
          if (this.driver === driver) this.driver = undefined;
          void driver.transport.kill().catch(() => undefined);
          state.finish(this.result(state, undefined, [], true));
        }, this.o.interruptGraceMs);
      };
      this.current = state;
      startClock();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const msg = { type: 'exec', id, code, maxOutput: cap };
      driver.transport.send(JSON.stringify(msg)).catch((err: unknown) => {
        state.finish(
          this.result(state, diedError(`could not reach the interpreter: ${String(err)}`), [], false),
        );
      });
    });
  }

  private onLine(generation: number, line: string, markReady: () => void): void {
    const msg = parseDriverLine(line);
    if (!msg) {
      this.o.log.debug({ line: cutText(line, 200) }, 'ignored a malformed driver line');
      return;
    }
    if (msg.type === 'ready') {
      markReady();
      return;
    }
    const driver = this.driver;
    const run = this.current;
    if (!driver || driver.generation !== generation) return;
    if (msg.type === 'host_call') {
      // A call belongs to the run in progress; one from a thread that outlived its run gets no handler.
      const owner = run && (msg.exec == null || msg.exec === run.id) ? run : undefined;
      void this.answerHostCall(driver, msg.id, msg.method, msg.params, owner);
      return;
    }
    if (!run || msg.id !== run.id) return;
    const cap = this.o.outputCap;
    if (msg.type === 'stdout' || msg.type === 'stderr') {
      const room = cap - run[msg.type].length;
      if (room > 0) run[msg.type] += cutText(msg.text, room);
      if (msg.text.length > room) run.truncated = true;
      if (msg.type === 'stdout' && run.opts.onStdout) {
        try {
          run.opts.onStdout(msg.text);
        } catch (err) {
          this.o.log.warn({ err }, 'onStdout callback failed');
        }
      }
      return;
    }
    if (msg.type === 'done') {
      if (msg.truncated) run.truncated = true;
      run.finish(this.result(run, msg.error ?? undefined, msg.charts.map(toChart), false));
    }
  }

  private async answerHostCall(
    driver: Driver,
    callId: number,
    method: string,
    params: unknown,
    run: RunState | undefined,
  ): Promise<void> {
    const handler: HostCallHandler | undefined = run?.opts.onHostCall;
    let reply: Record<string, unknown>;
    if (!run || !handler) {
      reply = {
        type: 'host_result',
        id: callId,
        error: `host call "${method}" is not available in this run`,
      };
    } else {
      run.hostCallStarted();
      try {
        const signal = run.hostCalls.signal;
        const result = await handler(method, params, { signal });
        reply = { type: 'host_result', id: callId, result: result ?? null };
      } catch (err) {
        reply = { type: 'host_result', id: callId, error: err instanceof Error ? err.message : String(err) };
      } finally {
        run.hostCallEnded();
      }
    }
    let line: string;
    try {
      line = JSON.stringify(reply);
    } catch {
      line = JSON.stringify({ type: 'host_result', id: callId, error: 'host call result is not JSON' });
    }
    await driver.transport.send(line).catch((err: unknown) => {
      this.o.log.warn({ err, method }, 'could not deliver a host call result');
    });
  }

  private onExit(generation: number, reason: string): void {
    const driver = this.driver;
    if (!driver || driver.generation !== generation) return;
    this.driver = undefined;
    const run = this.current;
    if (run) {
      const killed = run.why !== undefined;
      const error = killed ? undefined : diedError(reason);
      run.finish(this.result(run, error, [], killed));
    }
  }

  private result(
    run: RunState,
    error: CodeError | undefined,
    charts: CodeRunResult['charts'],
    killed: boolean,
  ) {
    let stdout = run.stdout;
    if (run.truncated) stdout += TRUNCATED;
    const result: CodeRunResult = { stdout, stderr: run.stderr, charts };
    if (run.why === 'timeout') {
      result.timedOut = true;
      const secs = Math.round(run.timeoutMs / 100) / 10;
      result.error = {
        name: 'TimeoutError',
        value: killed
          ? `execution timed out after ${secs}s and did not stop when interrupted; the Python context was restarted and its variables are gone`
          : `execution timed out after ${secs}s and was interrupted; variables defined so far are kept`,
        traceback: error?.traceback ?? '',
      };
    } else if (run.why === 'cancel') {
      result.error = {
        name: 'Cancelled',
        value: killed ? 'cancelled; the Python context was restarted' : 'cancelled',
        traceback: error?.traceback ?? '',
      };
    } else if (error) {
      result.error = error;
    }
    return result;
  }
}

function diedError(reason: string): CodeError {
  return {
    name: 'InterpreterDied',
    value: `the Python interpreter stopped (${reason}); its variables are gone and it restarts on the next run`,
    traceback: '',
  };
}

function cancelledResult(why: string): CodeRunResult {
  return { stdout: '', stderr: '', charts: [], error: { name: 'Cancelled', value: why, traceback: '' } };
}
