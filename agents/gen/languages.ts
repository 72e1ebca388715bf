// The languages /gen writes and verifies, the words people use for them, and how each is fenced.
// An unknown word is not a language (it stays part of the description).

export const GEN_LANGUAGES = ['python', 'javascript', 'typescript'] as const;
export type GenLanguage = (typeof GEN_LANGUAGES)[number];

const ALIASES: Record<string, GenLanguage> = {
  python: 'python',
  python3: 'python',
  py: 'python',
  javascript: 'javascript',
  js: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  typescript: 'typescript',
  ts: 'typescript',
};

/** Languages people may ask for that /gen cannot verify (so `/gen rust …` is answered, not guessed). */
const UNSUPPORTED = new Set([
  'rust',
  'java',
  'kotlin',
  'golang',
  'ruby',
  'php',
  'swift',
  'c++',
  'cpp',
  'c#',
  'csharp',
  'scala',
  'haskell',
  'perl',
  'lua',
  'bash',
  'shell',
]);

export function languageOf(word: string): GenLanguage | undefined {
  return ALIASES[word.toLowerCase()];
}

export function isUnsupportedLanguage(word: string): boolean {
  return UNSUPPORTED.has(word.toLowerCase());
}

/** File extension of the program the gateway writes. */
export const EXTENSION: Record<GenLanguage, string> = { python: 'py', javascript: 'js', typescript: 'ts' };
