// Lets a slash command's HTTP (or Socket Mode) acknowledgement carry the gateway's own answer — the
// pairing code for an unknown sender — as an ephemeral response (DESIGN §9.1), although that answer
// travels through the outbox like every reply. While a command is being acknowledged, a delivery
// addressed to its trigger_id waits until the gateway said whether it refused the command; a refusal's
// first text is handed to the acknowledgement instead of being posted. Anything later is posted.

interface Pending {
  decided: Promise<boolean>;
  decide(ephemeral: boolean): void;
  text: Promise<string>;
  give(text: string): void;
  taken: boolean;
  closed: boolean;
}

export class SlashReplies {
  private readonly pending = new Map<string, Pending>();

  /** Before the command goes to the gateway: deliveries for `trigger` wait for settle(). */
  open(trigger: string): void {
    let decide!: (v: boolean) => void;
    let give!: (t: string) => void;
    const decided = new Promise<boolean>((r) => {
      decide = r;
    });
    const text = new Promise<string>((r) => {
      give = r;
    });
    this.pending.set(trigger, { decided, decide, text, give, taken: false, closed: false });
  }

  /**
   * After the gateway took the command. `ephemeral`: it refused the command and queued an answer;
   * resolves with that answer's text once delivered here, or undefined after `timeoutMs` (the
   * acknowledgement cannot wait longer: Slack gives up at 3 s). Otherwise resolves at once.
   */
  async settle(trigger: string, ephemeral: boolean, timeoutMs: number): Promise<string | undefined> {
    const p = this.pending.get(trigger);
    if (!p) return undefined;
    p.decide(ephemeral);
    if (!ephemeral) {
      p.closed = true;
      this.pending.delete(trigger);
      return undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), timeoutMs);
    });
    try {
      return await Promise.race([p.text, late]);
    } finally {
      clearTimeout(timer);
      p.closed = true;
      this.pending.delete(trigger);
    }
  }

  /** From deliver(): true when `text` became the acknowledgement's ephemeral response (do not post it). */
  async offer(trigger: string, text: string): Promise<boolean> {
    const p = this.pending.get(trigger);
    if (!p) return false;
    const ephemeral = await p.decided;
    if (!ephemeral || p.taken || p.closed) return false;
    p.taken = true;
    p.give(text);
    return true;
  }
}
