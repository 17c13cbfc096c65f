/**
 * Finds the TypeScript code blocks of a Markdown document and the marker that says where each
 * one runs. Every TypeScript or JavaScript fence must follow a marker line (blank lines between
 * are allowed), so no code block can go untested silently:
 *
 *     <!-- snippet: ams quickstart-ams -->
 *     ```ts
 *
 * The first word is the backend the program runs against (`ams`, `managed` or `both`), the second
 * a unique name that the test's checks are keyed by.
 */

/** Where a snippet runs: the self-hosted Agent Memory Server, the managed API, or each in turn. */
export type SnippetBackend = 'ams' | 'managed';

export interface Snippet {
  name: string;
  backends: readonly SnippetBackend[];
  /** The code exactly as the document shows it. */
  source: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

const MARKER = /^<!--\s*snippet:\s*(.*?)\s*-->$/;
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'tsx', 'js', 'javascript', 'mjs', 'cjs']);
const BACKENDS = new Map<string, readonly SnippetBackend[]>([
  ['ams', ['ams']],
  ['managed', ['managed']],
  ['both', ['ams', 'managed']],
]);
const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** @throws {Error} listing every unmarked or malformed block, so one run reports them all. */
export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
  const problems: string[] = [];
  let pendingMarker: { text: string; line: number } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = MARKER.exec(line.trim());
    if (marker) {
      if (pendingMarker) problems.push(`line ${pendingMarker.line}: marker not followed by code`);
      pendingMarker = { text: marker[1]!, line: i + 1 };
      continue;
    }
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (!fence) {
      if (pendingMarker && line.trim() !== '') {
        problems.push(`line ${pendingMarker.line}: marker not followed by a code block`);
        pendingMarker = undefined;
      }
      continue;
    }
    const fenceChars = fence[1]!;
    const close = lines.findIndex(
      (l, j) => j > i && l.trim().startsWith(fenceChars) && /^(`+|~+)$/.test(l.trim()),
    );
    if (close === -1) {
      problems.push(`line ${i + 1}: code block never closed`);
      break;
    }
    const language = fence[2]!.toLowerCase();
    if (CODE_LANGUAGES.has(language)) {
      const parsed = pendingMarker ? parseMarker(pendingMarker.text) : undefined;
      if (!pendingMarker) {
        problems.push(
          `line ${i + 1}: \`\`\`${language} block without a "<!-- snippet: ams|managed|both <name> -->" marker`,
        );
      } else if (typeof parsed === 'string') {
        problems.push(`line ${pendingMarker.line}: ${parsed}`);
      } else if (parsed) {
        if (snippets.some((s) => s.name === parsed.name)) {
          problems.push(`line ${pendingMarker.line}: snippet name "${parsed.name}" used twice`);
        }
        snippets.push({ ...parsed, source: lines.slice(i + 1, close).join('\n'), line: i + 1 });
      }
    } else if (pendingMarker) {
      problems.push(`line ${pendingMarker.line}: marker before a \`\`\`${language} block`);
    }
    pendingMarker = undefined;
    i = close;
  }
  if (pendingMarker) problems.push(`line ${pendingMarker.line}: marker not followed by code`);
  if (problems.length > 0) throw new Error(`README snippets:\n${problems.join('\n')}`);
  return snippets;
}

function parseMarker(text: string): Pick<Snippet, 'name' | 'backends'> | string {
  const [backend = '', name = '', ...rest] = text.split(/\s+/);
  const backends = BACKENDS.get(backend);
  if (!backends) return `snippet backend "${backend}" is not one of ams, managed, both`;
  if (!NAME.test(name) || rest.length > 0) {
    return `snippet marker "${text}" needs exactly one name of [a-z0-9-] after the backend`;
  }
  return { name, backends };
}
