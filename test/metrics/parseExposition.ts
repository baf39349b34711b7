/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written from the format's spec (not from
 * prom-client), for tests: it throws on anything a Prometheus server would reject or that hints at a bug
 * (samples before their TYPE, a family split in two, duplicate series, non-cumulative histogram buckets,
 * a +Inf bucket that differs from _count, a negative counter).
 *
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name (`x_bucket` for a histogram bucket of family `x`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string | undefined;
  readonly samples: Sample[];
}

export interface Exposition {
  readonly families: ReadonlyMap<string, Family>;
  /** The value of the one sample named `name` whose labels include `labels`; throws if not exactly one. */
  value(name: string, labels?: Readonly<Record<string, string>>): number;
  /** Every sample named `name` whose labels include `labels`. */
  samples(name: string, labels?: Readonly<Record<string, string>>): Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Exposition {
  if (text.length > 0 && !text.endsWith('\n')) throw new SyntaxError('exposition must end with a newline');
  const families = new Map<string, { name: string; type: MetricType | undefined; help: string | undefined; samples: Sample[]; closed: boolean }>();
  const seriesSeen = new Set<string>();
  let current: string | undefined;
  const family = (name: string) => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: undefined, help: undefined, samples: [], closed: false };
      families.set(name, f);
    }
    return f;
  };
  const enter = (name: string, lineNo: number) => {
    if (current === name) return;
    if (current !== undefined) family(current).closed = true;
    if (family(name).closed) throw new SyntaxError(`line ${lineNo}: family ${name} appears in two separate groups`);
    current = name;
  };

  const lines = text.split('\n');
  lines.pop(); // after the final newline
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (m === null) throw new SyntaxError(`line ${lineNo}: unexpected comment: ${line}`);
      const [, kind, name, rest] = m as unknown as [string, 'HELP' | 'TYPE', string, string];
      if (!NAME.test(name)) throw new SyntaxError(`line ${lineNo}: bad metric name ${name}`);
      enter(name, lineNo);
      const f = family(name);
      if (f.samples.length > 0) throw new SyntaxError(`line ${lineNo}: ${kind} for ${name} after its samples`);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new SyntaxError(`line ${lineNo}: second HELP for ${name}`);
        f.help = unescape(rest, false, lineNo);
      } else {
        if (f.type !== undefined) throw new SyntaxError(`line ${lineNo}: second TYPE for ${name}`);
        if (!TYPES.has(rest as MetricType)) throw new SyntaxError(`line ${lineNo}: unknown type ${rest}`);
        f.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, lineNo);
    const familyName = familyOf(sample.name, families);
    enter(familyName, lineNo);
    const f = family(familyName);
    if (f.type === undefined) throw new SyntaxError(`line ${lineNo}: sample ${sample.name} before a TYPE line for ${familyName}`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (seriesSeen.has(key)) throw new SyntaxError(`line ${lineNo}: duplicate series ${line}`);
    seriesSeen.add(key);
    checkSampleAgainstType(f.type, familyName, sample, lineNo);
    f.samples.push(sample);
  });

  for (const f of families.values()) {
    if (f.type === undefined) throw new SyntaxError(`family ${f.name} has no TYPE`);
    if (f.type === 'histogram') checkHistogram(f as Family);
  }
  const frozen = new Map([...families].map(([k, f]) => [k, { name: f.name, type: f.type!, help: f.help, samples: f.samples }]));
  const samples = (name: string, labels: Readonly<Record<string, string>> = {}) => {
    const all = [...frozen.values()].flatMap((f) => f.samples);
    return all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  };
  return {
    families: frozen,
    samples,
    value(name, labels = {}) {
      const found = samples(name, labels);
      if (found.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`);
      return found[0]!.value;
    },
  };
}

function familyOf(sampleName: string, families: ReadonlyMap<string, { type: MetricType | undefined }>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return sampleName;
}

function checkSampleAgainstType(type: MetricType, familyName: string, s: Sample, lineNo: number): void {
  if (type === 'counter' && !(s.value >= 0)) throw new SyntaxError(`line ${lineNo}: counter ${s.name} has value ${s.value}`);
  if (type !== 'histogram') {
    if (s.name !== familyName) throw new SyntaxError(`line ${lineNo}: ${s.name} in family ${familyName}`);
    return;
  }
  if (s.name === `${familyName}_bucket`) {
    if (s.labels.le === undefined) throw new SyntaxError(`line ${lineNo}: bucket without le`);
    parseNumber(s.labels.le, lineNo);
  } else if (s.name !== `${familyName}_sum` && s.name !== `${familyName}_count`) {
    throw new SyntaxError(`line ${lineNo}: ${s.name} is not a sample of histogram ${familyName}`);
  } else if ('le' in s.labels) {
    throw new SyntaxError(`line ${lineNo}: le on ${s.name}`);
  }
}

function checkHistogram(f: Family): void {
  const bySeries = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
    const series = bySeries.get(key) ?? { buckets: [] };
    bySeries.set(key, series);
    if (s.name.endsWith('_bucket')) series.buckets.push([parseNumber(le!, 0), s.value]);
    else if (s.name.endsWith('_count')) series.count = s.value;
    else series.sum = s.value;
  }
  for (const [key, series] of bySeries) {
    const sorted = [...series.buckets].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]![1] < sorted[i - 1]![1]) throw new SyntaxError(`${f.name}${key}: buckets are not cumulative`);
    }
    const inf = sorted.at(-1);
    if (inf === undefined || inf[0] !== Infinity) throw new SyntaxError(`${f.name}${key}: no +Inf bucket`);
    if (series.count === undefined || series.sum === undefined) throw new SyntaxError(`${f.name}${key}: missing _count or _sum`);
    if (inf[1] !== series.count) throw new SyntaxError(`${f.name}${key}: +Inf bucket ${inf[1]} ≠ _count ${series.count}`);
  }
}

function parseSample(line: string, lineNo: number): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?/.exec(line);
  if (m === null) throw new SyntaxError(`line ${lineNo}: not a sample: ${line}`);
  const name = m[1]!;
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (m[2] === '{') {
    pos++;
    for (;;) {
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(pos));
      if (lm === null) throw new SyntaxError(`line ${lineNo}: bad label at column ${pos}: ${line}`);
      const labelName = lm[1]!;
      if (!LABEL.test(labelName) || labelName.startsWith('__')) throw new SyntaxError(`line ${lineNo}: bad label name ${labelName}`);
      if (labelName in labels) throw new SyntaxError(`line ${lineNo}: duplicate label ${labelName}`);
      pos += lm[0].length;
      let raw = '';
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new SyntaxError(`line ${lineNo}: unterminated label value`);
        if (c === '"') break;
        if (c === '\\') {
          raw += c + (line[pos + 1] ?? '');
          pos += 2;
        } else {
          raw += c;
          pos++;
        }
      }
      pos++; // closing quote
      labels[labelName] = unescape(raw, true, lineNo);
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new SyntaxError(`line ${lineNo}: expected , or } at column ${pos}`);
    }
  }
  const rest = line.slice(pos);
  const vm = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (vm === null) throw new SyntaxError(`line ${lineNo}: bad value part "${rest}"`);
  return { name, labels, value: parseNumber(vm[1]!, lineNo) };
}

function parseNumber(text: string, lineNo: number): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new SyntaxError(`line ${lineNo}: bad number ${text}`);
  return Number(text);
}

function unescape(raw: string, quotes: boolean, lineNo: number): string {
  return raw.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    throw new SyntaxError(`line ${lineNo}: bad escape \\${c}`);
  });
}
