import fs from 'node:fs';
import path from 'node:path';

/**
 * The README stays short and the docs stay connected: every relative link in README.md and
 * docs/*.md names a file that exists and, with `#anchor`, a heading of that file as GitHub renders
 * it; every page under docs/ is reachable from the README.
 */
const ROOT = path.resolve(__dirname, '../..');
const MAX_README_LINES = 220;
const PAGES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The lines outside fenced code blocks, with inline code removed: neither holds links or headings. */
function prose(markdown: string): string[] {
  let fence: string | null = null;
  const lines: string[] = [];
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      continue;
    }
    if (fence === null) lines.push(line);
  }
  return lines;
}

/** A heading's anchor as GitHub makes it (github-slugger): the text lower-cased, punctuation and symbols dropped, spaces to hyphens. */
function slug(heading: string): string {
  const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a page's headings; a repeated heading gets `-1`, `-2`… as on GitHub. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count ? `${base}-${count}` : base);
  }
  return anchors;
}

/** The targets of inline links and images, and of reference definitions, outside code. */
function linksOf(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of prose(markdown)) {
    const text = line.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]);
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(text);
    if (definition) targets.push(definition[1]);
  }
  return targets;
}

/** Why a link from `page` does not lead anywhere, or null when it does. External links are not followed. */
function brokenLink(page: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null;
  const [file, anchor] = target.split('#', 2) as [string, string | undefined];
  const resolved = file === '' ? path.join(ROOT, page) : path.resolve(path.join(ROOT, path.dirname(page)), decodeURIComponent(file));
  if (!resolved.startsWith(ROOT + path.sep) || !fs.existsSync(resolved)) return `${page}: ${target}: no such file`;
  if (anchor === undefined) return null;
  if (!resolved.endsWith('.md')) return `${page}: ${target}: an anchor into a file that is not markdown`;
  return anchorsOf(fs.readFileSync(resolved, 'utf8')).has(anchor) ? null : `${page}: ${target}: no heading with that anchor`;
}

const read = (page: string) => fs.readFileSync(path.join(ROOT, page), 'utf8');

describe('documentation links', () => {
  test.each([
    ['Configuration', 'configuration'],
    ['What `npm run dev` gives you', 'what-npm-run-dev-gives-you'],
    ['Reading histories: the codec endpoint', 'reading-histories-the-codec-endpoint'],
    ['Health, readiness, metrics', 'health-readiness-metrics'],
    ['Export & erasure (GDPR)', 'export--erasure-gdpr'],
    ['The `src/` folders, one by one', 'the-src-folders-one-by-one'],
    ['Privacy: personal data', 'privacy-personal-data'],
    ['A [linked](other.md) heading', 'a-linked-heading'],
    ['Snake_case and 3 numbers', 'snake_case-and-3-numbers'],
    ['Résumés', 'résumés'],
  ])('the heading %j has the anchor %j', (heading, anchor) => {
    expect(anchorsOf(`# ${heading}\n`)).toEqual(new Set([anchor]));
  });

  test('repeated headings are numbered; headings in code blocks are no headings', () => {
    expect(anchorsOf('# Setup\n\n## Setup\n\n```sh\n# Setup\n```\n\n### Setup ##\n')).toEqual(new Set(['setup', 'setup-1', 'setup-2']));
  });

  test('links are read from prose, not from code', () => {
    const markdown = 'See [a](a.md#x) and ![b](b.png "title").\n`[c](c.md)`\n```md\n[d](d.md)\n```\n[e]: e.md\n';
    expect(linksOf(markdown)).toEqual(['a.md#x', 'b.png', 'e.md']);
  });

  test('a link to a missing file or a missing heading is reported, an external one is not', () => {
    expect(brokenLink('README.md', 'docs/no-such-page.md')).toMatch(/no such file/);
    expect(brokenLink('README.md', '#no-such-heading')).toMatch(/no heading/);
    expect(brokenLink('README.md', '../outside.md')).toMatch(/no such file/);
    expect(brokenLink('README.md', 'https://example.com/missing#anchor')).toBeNull();
  });

  test('every relative link in README.md and docs/*.md leads to a file and heading that exist', () => {
    const broken = PAGES.flatMap((page) =>
      linksOf(read(page))
        .map((target) => brokenLink(page, target))
        .filter((b) => b !== null),
    );
    expect(PAGES.length).toBeGreaterThan(1);
    expect(broken).toEqual([]);
  });

  test('every page under docs/ is linked from the README', () => {
    const linked = new Set(linksOf(read('README.md')).map((target) => path.normalize(target.split('#')[0])));
    expect(PAGES.filter((page) => page !== 'README.md' && !linked.has(page))).toEqual([]);
  });

  test(`README.md is at most ${MAX_README_LINES} lines`, () => {
    expect(read('README.md').trimEnd().split('\n').length).toBeLessThanOrEqual(MAX_README_LINES);
  });
});
