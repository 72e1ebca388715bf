// The configuration schema: one zod object for every setting, with its default.
// Loading (defaults < config.json5 < env) lives in load.ts; env names in env-map.ts.

import { z } from 'zod';

const dmPolicy = z.enum(['pairing', 'allowlist', 'open', 'disabled']);
const groupPolicy = z.enum(['allowlist', 'open', 'disabled']);

/** Booleans from env and the CLI arrive as strings: accept the usual spellings, refuse the rest. */
const boolish = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(s)) return true;
  if (['0', 'false', 'off', 'no', ''].includes(s)) return false;
  return v;
}, z.boolean());

/** Who may reach the bot on a channel (pairing/policies.ts). The local channel is always allowed. */
const channelPolicy = z
  .object({
    /** pairing: unknown DM senders get a code the owner approves; allowlist: only listed senders;
     *  open: anyone (`sandgate doctor` warns); disabled: no DMs. */
    dmPolicy: dmPolicy.default('pairing'),
    /** allowlist: only groups added as `group:<conversation key>`; open: any group; disabled: none.
     *  In groups the bot only answers when mentioned or addressed with a command. */
    groupPolicy: groupPolicy.default('allowlist'),
  })
  .prefault({});

export const configSchema = z.object({
  /** HTTP server. */
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  bind: z.string().min(1).default('127.0.0.1'),
  /** Base URL for links sent to chats; derived from bind/port when unset. */
  publicUrl: z.url().optional(),
  /** Dashboard/API token; generated on first start and stored in $SANDGATE_HOME/gateway-token when unset. */
  gatewayToken: z.string().min(16, 'must be at least 16 characters').optional(),

  log: z
    .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
    .prefault({}),

  telegram: z
    .object({
      botToken: z.string().min(1).optional(),
      apiRoot: z.url().default('https://api.telegram.org'),
      webhookUrl: z.url().optional(),
      webhookSecret: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -')
        .optional(),
      /** Local path the gateway serves the webhook on; default: the path of webhookUrl (behind a rewriting proxy they differ). */
      webhookPath: z
        .string()
        .regex(/^\/[A-Za-z0-9/_.-]*$/, 'must start with / and use URL path characters')
        .optional(),
    })
    .prefault({}),

  slack: z
    .object({
      /** xoxb-…: the channel runs when it is set (with signingSecret for HTTP mode, or appToken). */
      botToken: z.string().min(1).optional(),
      /** HTTP mode: verifies every request to POST /slack/events. */
      signingSecret: z.string().min(1).optional(),
      /** xapp-… (connections:write): Socket Mode instead of HTTP. */
      appToken: z.string().min(1).optional(),
      /** Web API base for every call, Socket Mode's apps.connections.open included. */
      apiUrl: z.url().default('https://slack.com/api/'),
      /** The bot's user id (U…) and bot id (B…): both set skips auth.test at start. */
      botUserId: z
        .string()
        .regex(/^[UW][A-Z0-9]+$/, 'a Slack user id, e.g. U0123ABCD')
        .optional(),
      botId: z
        .string()
        .regex(/^B[A-Z0-9]+$/, 'a Slack bot id, e.g. B0123ABCD')
        .optional(),
      /** Socket Mode: reconnect when nothing (no envelope, no ping) arrived for this long. */
      socketWatchdogSec: z.coerce.number().int().min(10).default(300),
    })
    .prefault({}),

  whatsapp: z
    .object({
      /** Run the WhatsApp channel (a linked device: `sandgate channels login whatsapp`). */
      enabled: boolish.default(false),
      /** Also answer the owner in their own "message yourself" chat. */
      selfChat: boolish.default(false),
      /** WhatsApp Web endpoint override (a proxy, or a test server); default Baileys' own. */
      wsUrl: z
        .string()
        .regex(/^wss?:\/\/\S+$/, 'must be a ws:// or wss:// URL')
        .optional(),
    })
    .prefault({}),

  anthropic: z
    .object({
      apiKey: z.string().min(1).optional(),
      baseUrl: z.url().optional(),
      model: z.string().min(1).default('claude-sonnet-4-5'),
      /** Output cap of one model turn. */
      maxTokens: z.coerce.number().int().min(256).max(128_000).default(8192),
      /** Retries on 429 / 5xx / 529 before the chat is told the API is busy. */
      maxRetries: z.coerce.number().int().min(0).max(10).default(4),
      /** A retry-after longer than this gives up at once instead of keeping the chat waiting. */
      maxRetryWaitSec: z.coerce.number().int().min(1).default(60),
    })
    .prefault({}),

  sandbox: z
    .object({
      /** local or daytona; default: daytona when daytona.apiKey is set, else local. */
      provider: z.enum(['local', 'daytona']).optional(),
      network: z.enum(['off', 'host']).default('off'),
      /** Stop a conversation's sandbox after this many idle seconds. */
      idleStopSec: z.coerce.number().int().min(0).default(900),
      /** Default wall-clock limit of one command / code run. */
      execTimeoutSec: z.coerce.number().int().min(1).default(120),
      /** Delete a sandbox idle this long (seconds, default 7 days; 0 = never). Also applies to orphans. */
      idleDeleteSec: z.coerce.number().int().min(0).default(604_800),
      /** Sandboxes running at once; the least recently used idle one is stopped to make room. */
      maxLive: z.coerce.number().int().min(1).default(8),
      /**
       * How long a run's child sandbox (an RLM sub-agent's) waits for a free slot under maxLive
       * before it is refused (0 = refuse at once). A wait that could never end is refused at once.
       */
      childWaitSec: z.coerce.number().int().min(0).default(300),
      /** How long interrupted Python code may take to stop before its context is restarted. */
      interruptGraceMs: z.coerce.number().int().min(100).default(3000),
      /** Output kept per stream of one command or code run (1 MiB); the rest is cut with a marker. */
      outputMaxBytes: z.coerce.number().int().min(1024).default(1_048_576),
      /** Largest file moved in or out by the file API, /get and uploads. */
      fileMaxMb: z.coerce.number().int().min(1).default(50),
      /** Lifetime of a /preview link. */
      previewTtlSec: z.coerce.number().int().min(60).default(3600),
      /**
       * Serve local previews as same-origin pages. Off: pages get a CSP sandbox, so code from a
       * sandbox cannot use the dashboard's cookies. Turn on only when publicUrl is not the dashboard.
       */
      previewSameOrigin: boolish.default(false),
      pool: z
        .object({
          /** Started sandboxes kept ready so a first reply needs no create (0 = off); they count toward maxLive. */
          size: z.coerce.number().int().min(0).max(64).default(0),
        })
        .prefault({}),
      local: z
        .object({
          /** bwrap, or "none" to run code unisolated as the gateway user (unsafe; warned at every start). */
          isolation: z.enum(['bwrap', 'none']).default('bwrap'),
          /** Memory of the whole sandbox (cgroup; its /tmp and /dev/shm included), and of each process. */
          memoryMb: z.coerce.number().int().min(64).default(2048),
          /** Processes (and threads) of the whole sandbox at once (cgroup pids controller). */
          maxProcesses: z.coerce.number().int().min(8).default(256),
          /** CPUs' worth of time each sandbox may use (cgroup CPU quota; 1.5 = one and a half cores); 0 = no limit. */
          cpus: z.coerce.number().min(0).max(1024).default(1),
          /** Size of each new sandbox's workspace filesystem (a loop-mounted ext4 image; needs root); 0 = no limit. */
          diskMb: z.coerce
            .number()
            .int()
            .min(0)
            .refine((n) => n === 0 || n >= 16, 'must be 0 (no limit) or at least 16')
            .default(5120),
          maxFileMb: z.coerce.number().int().min(1).default(512),
          cpuSeconds: z.coerce.number().int().min(1).default(600),
          /** Size of each sandbox's private /tmp. */
          tmpMb: z.coerce.number().int().min(8).default(512),
          python: z.string().default('/usr/bin/python3'),
          /** Host uid/gid sandboxes run as when the gateway itself runs as root. */
          runAsUid: z.coerce.number().int().min(1).default(65534),
          runAsGid: z.coerce.number().int().min(1).default(65534),
        })
        .prefault({}),
    })
    .prefault({}),

  daytona: z
    .object({
      apiKey: z.string().min(1).optional(),
      apiUrl: z.url().optional(),
      target: z.string().min(1).optional(),
      /** Minutes without activity before Daytona stops a sandbox (0 = never). */
      autoStopMinutes: z.coerce.number().int().min(0).default(30),
      /** Minutes after a stop before Daytona deletes it (default 7 days; -1 = never). */
      autoDeleteMinutes: z.coerce.number().int().min(-1).default(10_080),
      /** Snapshot to create sandboxes from (default: Daytona's Python image). */
      snapshot: z.string().min(1).optional(),
    })
    .prefault({}),

  channels: z
    .object({
      telegram: channelPolicy,
      whatsapp: channelPolicy,
      slack: channelPolicy,
      local: channelPolicy,
    })
    .prefault({}),

  limits: z
    .object({
      /** Agent runs executing at once, across all conversations. */
      maxConcurrentRuns: z.coerce.number().int().min(1).default(4),
      /** Sandbox commands (/sh, /py, /files, /get, /preview) at once, apart from agent runs; like sandbox.maxLive. */
      maxConcurrentCommands: z.coerce.number().int().min(1).default(8),
      /** Inbound text larger than this is refused with a reply. */
      maxMessageBytes: z.coerce
        .number()
        .int()
        .min(256)
        .default(64 * 1024),
      /** Attachments larger than this are refused with a reply. */
      maxAttachmentBytes: z.coerce
        .number()
        .int()
        .min(1024)
        .default(50 * 1024 * 1024),
      /** Per sender and UTC day; 0 = unlimited. */
      dailyTokens: z.coerce.number().int().min(0).default(0),
      dailyUsd: z.coerce.number().min(0).default(0),
    })
    .prefault({}),

  agents: z
    .object({
      /** The agent plain text goes to (an agent's name; the gateway warns at start when none has it). */
      default: z
        .string()
        .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be an agent name such as coding or analysis')
        .default('coding'),
      maxIterations: z.coerce.number().int().min(1).max(200).default(25),
      analysisMaxIterations: z.coerce.number().int().min(1).max(100).default(10),
      /** Analysis agent: a dataset larger than this is refused with a reply (and never written). */
      analysisMaxFileMb: z.coerce.number().positive().max(2048).default(50),
      /** /gen: submissions the gateway tests before it answers `not verified:` (DESIGN §9.8). */
      genMaxIterations: z.coerce.number().int().min(1).max(50).default(6),
      team: boolish.default(false),
      /** Team mode: project-manager ↔ developer rounds before the run stops. */
      teamMaxRounds: z.coerce.number().int().min(1).max(20).default(5),
      /** Context window the tool loop plans for; older turns are compacted near it. */
      contextTokens: z.coerce.number().int().min(8000).default(180_000),
      /** A tool result longer than this is cut in the middle, with a marker. */
      maxToolResultChars: z.coerce.number().int().min(1000).default(20_000),
      /** /claude: the Claude Code CLI in the conversation's sandbox (DESIGN §9.4). */
      claude: z
        .object({
          /** Host path of the claude binary; else what `sandgate setup claude-code` installed. */
          bin: z.string().min(1).optional(),
          /** Model the CLI asks for; default anthropic.model. */
          model: z.string().min(1).optional(),
          /** One /claude run's wall-clock limit; then it is interrupted like /cancel. */
          timeoutSec: z.coerce.number().int().min(10).default(1800),
        })
        .prefault({}),
    })
    .prefault({}),

  /** Recursive-LM agents (/rlm, DESIGN §9.3): budgets of one run's whole tree of agents. */
  rlm: z
    .object({
      /** Child sandboxes created over the run's lifetime (never refunded when one is deleted). */
      maxSandboxes: z.coerce.number().int().min(0).default(50),
      /** Deepest sub-agent: the root is depth 0, its sub-agents depth 1, … */
      maxDepth: z.coerce.number().int().min(0).max(20).default(3),
      /** Model turns (code blocks) per agent before it is stopped with what it has. */
      maxIterations: z.coerce.number().int().min(1).max(500).default(30),
      /** llm_query / llm_query_batched prompts answered per run (the whole tree). */
      maxLlmCalls: z.coerce.number().int().min(0).default(500),
      /** Wall-clock limit of the whole tree, seconds. */
      timeoutSec: z.coerce.number().int().min(1).default(1800),
      /** Sub-agents (and sub-LLM prompts) of one batch call running at once. */
      maxParallel: z.coerce.number().int().min(1).max(64).default(8),
      /** A sub-agent's answer handed to its parent is cut here, with a marker. */
      resultChars: z.coerce.number().int().min(100).default(20_000),
    })
    .prefault({}),

  /** Batch evaluation (POST /api/eval, `sandgate eval`, DESIGN §9.5). */
  eval: z
    .object({
      /** Sandboxes of the reused eval pool (each a slot of sandbox.maxLive while it lives). */
      poolSize: z.coerce.number().int().min(1).max(1000).default(8),
    })
    .prefault({}),

  /** The MCP server at /mcp (DESIGN §9.5). */
  mcp: z
    .object({
      /** Delete a sandbox an MCP client made once no call used it for this long (0 = keep until shutdown). */
      idleDeleteSec: z.coerce.number().int().min(0).default(1800),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema> & { home: string };
export type ConfigInput = z.input<typeof configSchema>;
