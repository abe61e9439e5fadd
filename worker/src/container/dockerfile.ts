/**
 * A reader for the repository's Dockerfile and .dockerignore, enough for the checks that hold
 * the production image to the worker (container.test.ts) and for replaying its commands
 * without Docker (rehearse-image.ts). It handles what that Dockerfile uses: comments, `\`
 * line continuations, `ARG` before `FROM`, named stages, exec-form (JSON) commands and
 * `ENV a=b c=d`; it is not a general Dockerfile parser.
 */

export interface DockerInstruction {
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

export interface DockerStage {
  name: string | null;
  /** The image it starts from, with build args substituted. */
  from: string;
  instructions: DockerInstruction[];
}

export interface Dockerfile {
  /** `ARG name=default` before the first FROM. */
  globalArgs: Record<string, string>;
  stages: DockerStage[];
}

/** The Dockerfile is not what these checks understand (a typed error: the message names the line). */
export class DockerfileFormatError extends Error {
  override readonly name = 'DockerfileFormatError';
}

function instructions(text: string): DockerInstruction[] {
  const result: DockerInstruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!.trim();
    if (first === '' || first.startsWith('#')) continue;
    const line = i + 1;
    let joined = first;
    while (joined.endsWith('\\')) {
      joined = joined.slice(0, -1).trimEnd();
      // Comment lines inside a continued instruction are dropped, as Docker does.
      do i++;
      while (i < lines.length && lines[i]!.trim().startsWith('#'));
      if (i >= lines.length) throw new DockerfileFormatError(`line ${line}: the file ends inside a continued instruction`);
      joined += ` ${lines[i]!.trim()}`;
    }
    const match = /^([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (!match) throw new DockerfileFormatError(`line ${line}: not an instruction: ${joined}`);
    result.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line });
  }
  return result;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: DockerStage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new DockerfileFormatError(`line ${instruction.line}: FROM ${instruction.args}`);
      const from = match[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => globalArgs[(a ?? b)!] ?? '');
      stages.push({ name: match[2] ?? null, from, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new DockerfileFormatError(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      const [name, value = ''] = instruction.args.split('=', 2);
      globalArgs[name!.trim()] = value.trim();
    } else stages.at(-1)!.instructions.push(instruction);
  }
  return { globalArgs, stages };
}

export function stage(file: Dockerfile, name: string): DockerStage {
  const found = file.stages.find((s) => s.name === name);
  if (!found) throw new DockerfileFormatError(`no stage named ${name} (stages: ${file.stages.map((s) => s.name ?? '(unnamed)').join(', ')})`);
  return found;
}

export function instructionsOf(s: DockerStage, keyword: string): DockerInstruction[] {
  return s.instructions.filter((i) => i.keyword === keyword);
}

/** An exec-form command (`["node", "x.mjs"]`) as its words. */
export function execForm(args: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new DockerfileFormatError(`not an exec-form (JSON) command: ${args}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) throw new DockerfileFormatError(`not a JSON array of strings: ${args}`);
  return parsed;
}

/** `ENV a=b c="d e"` of a stage, in order, later values winning. */
export function envOf(s: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args, line } of instructionsOf(s, 'ENV')) {
    const pairs = args.match(/\w+=(?:"[^"]*"|\S*)/g);
    if (!pairs || pairs.join(' ').length !== args.replace(/\s+/g, ' ').trim().length) throw new DockerfileFormatError(`line ${line}: ENV must be name=value pairs: ${args}`);
    for (const pair of pairs) {
      const at = pair.indexOf('=');
      env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/** HEALTHCHECK `--option=value ... CMD [...]` as its options and exec-form command. */
export function healthcheckOf(s: DockerStage): { options: Record<string, string>; command: string[] } {
  const [instruction, ...more] = instructionsOf(s, 'HEALTHCHECK');
  if (!instruction || more.length > 0) throw new DockerfileFormatError(`stage ${s.name}: expected one HEALTHCHECK`);
  const match = /^((?:--[\w-]+=\S+\s+)*)CMD\s+(\[.*\])$/.exec(instruction.args);
  if (!match) throw new DockerfileFormatError(`line ${instruction.line}: HEALTHCHECK [--options] CMD ["exec", "form"]`);
  const options = Object.fromEntries(
    match[1]!
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((option) => option.slice(2).split('=', 2) as [string, string]),
  );
  return { options, command: execForm(match[2]!) };
}

/** A Docker duration (`30s`, `1m30s`, `500ms`) in milliseconds. */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new DockerfileFormatError(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

/** Stands for a `**` segment while a pattern becomes a regular expression (a private-use character). */
const GLOBSTAR = '\uE000';

/**
 * .dockerignore as a predicate on context paths (`worker/src/index.ts`): patterns with `*`,
 * `**` and `?`, a path excluded when it or a parent directory matches, `!` re-including.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = (include ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split('/')
        .map((segment) => (segment === '**' ? GLOBSTAR : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replaceAll(`${GLOBSTAR}/`, '(?:.*/)?')
        .replaceAll(`/${GLOBSTAR}`, '(?:/.*)?')
        .replaceAll(GLOBSTAR, '.*');
      return { include, regex: new RegExp(`^${source}$`) };
    });
  return (path) => {
    const segments = path.split('/');
    let excluded = false;
    for (const rule of rules) {
      for (let n = 1; n <= segments.length; n++) {
        if (rule.regex.test(segments.slice(0, n).join('/'))) {
          excluded = !rule.include;
          break;
        }
      }
    }
    return excluded;
  };
}
