// `/gen [python|javascript|typescript] DESCRIPTION`: the language word (default python) and the
// description, and whether the description asks for the tests back. A missing description or a
// language /gen cannot verify gets a usage reply and runs nothing.

import type { ParsedTask } from '../agent.js';
import { GEN_LANGUAGES, type GenLanguage, isUnsupportedLanguage, languageOf } from './languages.js';

export const GEN_USAGE = 'gen [python|javascript|typescript] DESCRIPTION';

/** The language named by the first word of `text`, and the rest; no language word → undefined. */
export function leadingLanguage(text: string): { language: GenLanguage; rest: string } | undefined {
  const m = /^\s*(\S+)(?:\s+|$)/.exec(text);
  const language = m ? languageOf(m[1] as string) : undefined;
  return language && m ? { language, rest: text.slice(m[0].length).trim() } : undefined;
}

export function parseGenArgs(args: string): ParsedTask | string {
  const usage = `Usage: /${GEN_USAGE} — for example /gen typescript a groupBy(items, key) function.`;
  const named = leadingLanguage(args);
  const first = /^\s*(\S+)/.exec(args)?.[1];
  if (!named && first && isUnsupportedLanguage(first))
    return `/gen writes and tests ${GEN_LANGUAGES.join(', ')} only, not ${first}. ${usage}`;
  const text = named ? named.rest : args.trim();
  if (!text) return usage;
  return { text, options: { language: named?.language ?? 'python' } };
}

const ASK = /\b(?:return|include|show|give|send|attach|provide)\b[^.?!\n]{0,40}?\btests?\b/i;
const ALSO =
  /\btests?\b[^.?!\n]{0,20}?\b(?:also|too|as well)\b|\b(?:with|plus|and|including)\s+(?:the\s+|its\s+|some\s+|unit\s+)?tests\b/i;
const REFUSE = /\b(?:no|don'?t|do not|without|skip|omit)\s+(?:[\w-]+\s+){0,3}?tests?\b/i;

/**
 * Whether the description asks for the tests in the reply ("Return the tests also in a separate code
 * block", the Google ADK guide's wording). Without such a request the reply is the function only.
 */
export function wantsTests(description: string): boolean {
  if (REFUSE.test(description)) return false;
  return ASK.test(description) || ALSO.test(description);
}
