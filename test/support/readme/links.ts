/**
 * The links of a Markdown document, and the anchors its headings get on GitHub and on the npm
 * package page (lower case, punctuation dropped, spaces as `-`, a `-n` suffix for repeats).
 */

export interface MarkdownLink {
  text: string;
  target: string;
  line: number;
}

/** Drops fenced code blocks, keeping line numbers, so code is never read as prose. */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split(/\r?\n/).map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return '';
    }
    return fence === undefined ? line : '';
  });
}

/** Inline links `[text](target)` outside code blocks and code spans. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(markdown).forEach((line, index) => {
    const prose = line.replace(/`[^`]*`/g, (span) => (span.includes('](') ? '' : span));
    for (const match of prose.matchAll(/\[((?:[^\]`]|`[^`]*`)*)\]\(([^)\s]+)\)/g)) {
      links.push({ text: match[1]!, target: match[2]!, line: index + 1 });
    }
  });
  return links;
}

export interface Heading {
  level: number;
  text: string;
  anchor: string;
}

export function headings(markdown: string): Heading[] {
  const seen = new Map<string, number>();
  const result: Heading[] = [];
  for (const line of proseLines(markdown)) {
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (!match) continue;
    const text = match[2]!;
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.push({
      level: match[1]!.length,
      text,
      anchor: count === 0 ? base : `${base}-${count}`,
    });
  }
  return result;
}
