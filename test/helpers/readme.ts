// README.md read the way a newcomer reads it, so tests check the README itself rather than a
// copy: the API tour (the sh blocks between `<!-- tour: ... -->` and `<!-- /tour -->`, each
// curl command followed by the answer it gets), and the code blocks of a section.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const README = path.resolve(import.meta.dirname, '../../README.md');

export function readReadme(): string {
  return readFileSync(README, 'utf8');
}

// ---- the tour -------------------------------------------------------------------------------

export interface ExpectedAnswer {
  status: number;
  /** `HTTP/1.1 201 Created` where the README shows the headers (curl -i). */
  statusLine: string | null;
  headers: Array<[name: string, value: string]>;
  /** The body as the README shows it, `...` included; null when it shows none. */
  bodyText: string | null;
}

export interface TourCommand {
  /** Line of README.md where the command starts. */
  line: number;
  text: string;
  answer: ExpectedAnswer;
}

export interface Tour {
  /** Every sh block of the tour, in order, as one script. */
  script: string;
  commands: TourCommand[];
}

const TOUR_START = /^<!-- tour:.*-->$/;
const TOUR_END = /^<!-- \/tour -->$/;
const STATUS_ONLY = /^# (\d{3})(?:\s+(.*))?$/;
const STATUS_LINE = /^# (HTTP\/[\d.]+ (\d{3})\b.*)$/;
const HEADER = /^([A-Za-z][A-Za-z0-9-]*): (.*)$/;

/** The tour's script and its curl commands, each with the answer written under it. */
export function extractTour(markdown: string): Tour {
  const lines = markdown.split('\n');
  const starts = lines.flatMap((l, i) => (TOUR_START.test(l) ? [i] : []));
  const ends = lines.flatMap((l, i) => (TOUR_END.test(l) ? [i] : []));
  if (starts.length !== 1 || ends.length !== 1 || ends[0]! < starts[0]!) {
    throw new Error('README.md: the tour is marked by one `<!-- tour: ... -->` line and one `<!-- /tour -->` line after it');
  }
  const script: string[] = [];
  const commands: TourCommand[] = [];
  let inBlock = false;
  for (let i = starts[0]! + 1; i < ends[0]!; i++) {
    const line = lines[i]!;
    if (!inBlock) {
      if (line === '```sh') inBlock = true;
      continue;
    }
    if (line === '```') {
      inBlock = false;
      continue;
    }
    script.push(line);
    if (!line.startsWith('curl ')) continue;
    // The command goes on while a line ends in a backslash or a single quote is open.
    const start = i;
    let text = line;
    while (text.endsWith('\\') || (text.match(/'/g) ?? []).length % 2 === 1) {
      i++;
      if (i >= ends[0]! || lines[i] === '```') throw new Error(`README.md:${start + 1}: the curl command does not end`);
      script.push(lines[i]!);
      text += `\n${lines[i]}`;
    }
    const answerLines: string[] = [];
    for (let j = i + 1; j < ends[0]! && lines[j]!.startsWith('#'); j++) {
      if (j > i + 1 && (STATUS_ONLY.test(lines[j]!) || STATUS_LINE.test(lines[j]!))) break;
      answerLines.push(lines[j]!);
    }
    commands.push({ line: start + 1, text, answer: parseAnswer(answerLines, start + 1) });
  }
  return { script: script.join('\n'), commands };
}

function parseAnswer(lines: string[], commandLine: number): ExpectedAnswer {
  const first = lines[0] ?? '';
  const withHeaders = STATUS_LINE.exec(first);
  const statusOnly = STATUS_ONLY.exec(first);
  if (!withHeaders && !statusOnly) {
    throw new Error(
      `README.md:${commandLine}: the line under a curl command is its answer, starting with the status ` +
        `(\`# 201  {...}\` or \`# HTTP/1.1 201 Created\`); found ${JSON.stringify(first)}`,
    );
  }
  const headers: Array<[string, string]> = [];
  const body: string[] = statusOnly?.[2] ? [statusOnly[2]] : [];
  for (const line of lines.slice(1)) {
    const content = line.replace(/^#\s*/, '');
    const header = withHeaders && body.length === 0 ? HEADER.exec(content) : null;
    if (header) headers.push([header[1]!.toLowerCase(), header[2]!]);
    else body.push(content);
  }
  return {
    status: Number(withHeaders ? withHeaders[2] : statusOnly![1]),
    statusLine: withHeaders ? withHeaders[1]!.trim() : null,
    headers,
    bodyText: body.length > 0 ? body.join(' ') : null,
  };
}

/** The fenced code blocks of one language under a heading, up to the next heading of its level or above. */
export function codeBlocks(markdown: string, heading: string, language: string): string[] {
  const lines = markdown.split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) throw new Error(`README.md has no heading ${JSON.stringify(heading)}`);
  const level = heading.match(/^#+/)![0].length;
  const blocks: string[] = [];
  let current: string[] | null = null;
  let fenced = false;
  for (const line of lines.slice(at + 1)) {
    if (!fenced && /^#+ /.test(line) && line.match(/^#+/)![0].length <= level) break;
    if (line.startsWith('```')) {
      fenced = !fenced;
      if (fenced && line === `\`\`\`${language}`) current = [];
      else if (!fenced && current) {
        blocks.push(current.join('\n'));
        current = null;
      }
      continue;
    }
    current?.push(line);
  }
  return blocks;
}

// ---- answers with `...` ----------------------------------------------------------------------

/**
 * A README answer: JSON in which `...` stands for what is left out. An object with `...`
 * may have more keys; one without it has exactly those. An array's `...` stands for any
 * number of elements.
 */
export type Pattern =
  | { kind: 'value'; value: string | number | boolean | null }
  | { kind: 'object'; entries: Array<[string, Pattern]>; open: boolean }
  | { kind: 'array'; items: Array<Pattern | 'rest'> };

export function parsePattern(text: string): Pattern {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${pos} of ${text}`);
  };
  const skip = () => {
    while (/\s/.test(text[pos] ?? '')) pos++;
  };
  const eat = (token: string): boolean => {
    skip();
    if (!text.startsWith(token, pos)) return false;
    pos += token.length;
    return true;
  };
  const value = (): Pattern => {
    skip();
    if (eat('{')) {
      const entries: Array<[string, Pattern]> = [];
      let open = false;
      if (eat('}')) return { kind: 'object', entries, open };
      do {
        if (eat('...')) {
          open = true;
          continue;
        }
        skip();
        const key = string() ?? fail('expected a key');
        if (!eat(':')) fail('expected ":"');
        entries.push([key, value()]);
      } while (eat(','));
      if (!eat('}')) fail('expected "}"');
      return { kind: 'object', entries, open };
    }
    if (eat('[')) {
      const items: Array<Pattern | 'rest'> = [];
      if (eat(']')) return { kind: 'array', items };
      do items.push(eat('...') ? 'rest' : value());
      while (eat(','));
      if (!eat(']')) fail('expected "]"');
      return { kind: 'array', items };
    }
    const s = string();
    if (s !== undefined) return { kind: 'value', value: s };
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(pos));
    if (!literal) return fail('expected a value');
    pos += literal[0].length;
    return { kind: 'value', value: JSON.parse(literal[0]) as number | boolean | null };
  };
  const string = (): string | undefined => {
    const quoted = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(pos));
    if (!quoted) return undefined;
    pos += quoted[0].length;
    return JSON.parse(quoted[0]) as string;
  };
  const result = value();
  skip();
  if (pos !== text.length) fail('unexpected text');
  return result;
}

/**
 * What the README says depends on the day and the database: such a value is compared by its
 * shape (a date, a timestamp, an invoice number), never by what it is.
 */
export const DAY_DEPENDENT: Array<{ what: string; shape: RegExp }> = [
  { what: 'a date', shape: /^\d{4}-\d{2}-\d{2}$/ },
  { what: 'a timestamp', shape: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/ },
  { what: 'an invoice number', shape: /^INV-\d{6}$/ },
];

/** Where `actual` differs from the pattern, one line each; empty when it matches. */
export function mismatches(pattern: Pattern, actual: unknown, at = '$'): string[] {
  const show = (v: unknown) => {
    const s = JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 200)}...` : s;
  };
  switch (pattern.kind) {
    case 'value': {
      const expected = pattern.value;
      const variable = typeof expected === 'string' ? DAY_DEPENDENT.find((d) => d.shape.test(expected)) : undefined;
      if (variable) {
        return typeof actual === 'string' && variable.shape.test(actual) ? [] : [`${at}: ${show(actual)} is not ${variable.what}`];
      }
      return actual === expected ? [] : [`${at}: ${show(actual)}, the README shows ${show(expected)}`];
    }
    case 'object': {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return [`${at}: ${show(actual)} is not an object`];
      const record = actual as Record<string, unknown>;
      const found = pattern.entries.flatMap(([key, p]) =>
        key in record ? mismatches(p, record[key], `${at}.${key}`) : [`${at}.${key}: missing`],
      );
      if (!pattern.open) {
        const shown = new Set(pattern.entries.map(([key]) => key));
        for (const key of Object.keys(record)) {
          if (!shown.has(key)) found.push(`${at}.${key}: in the answer, not in the README (which has no "..." here)`);
        }
      }
      return found;
    }
    case 'array': {
      if (!Array.isArray(actual)) return [`${at}: ${show(actual)} is not an array`];
      if (!pattern.items.includes('rest')) {
        if (actual.length !== pattern.items.length) {
          return [`${at}: ${actual.length} elements, the README shows ${pattern.items.length}: ${show(actual)}`];
        }
        return pattern.items.flatMap((p, i) => mismatches(p as Pattern, actual[i], `${at}[${i}]`));
      }
      return arrayMatches(pattern.items, actual) ? [] : [`${at}: ${show(actual)} does not fit the README's elements`];
    }
  }
}

function arrayMatches(items: Array<Pattern | 'rest'>, actual: unknown[]): boolean {
  const fits = (i: number, j: number): boolean => {
    if (i === items.length) return j === actual.length;
    const item = items[i]!;
    if (item === 'rest') {
      for (let k = j; k <= actual.length; k++) if (fits(i + 1, k)) return true;
      return false;
    }
    return j < actual.length && mismatches(item, actual[j]).length === 0 && fits(i + 1, j + 1);
  };
  return fits(0, 0);
}
