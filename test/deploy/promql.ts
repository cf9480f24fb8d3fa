// Just enough PromQL reading for the dashboard check: the metric selectors of an expression (name and
// matcher labels), and the label lists of its aggregations (`by`/`without`, with the span they apply
// to) and of vector matching (`on`/`ignoring`/`group_left`/`group_right`). Ranges and subqueries
// (`[5m]`, `[$__rate_interval]`) are skipped; strings are kept whole.

type Token = { readonly kind: 'ident' | 'string' | 'number' | 'punct' | 'range' | 'var'; readonly text: string };

export interface Selector {
  /** The metric name, undefined for a bare `{…}` selector. */
  readonly name: string | undefined;
  /** Labels of its matchers. */
  readonly labels: readonly string[];
  /** Token index: which aggregation spans it belongs to. */
  readonly at: number;
}

export interface Grouping {
  readonly clause: 'by' | 'without' | 'on' | 'ignoring' | 'group_left' | 'group_right';
  readonly labels: readonly string[];
  /** Token span of the aggregated expression (`by`/`without`); the whole expression for vector matching. */
  readonly from: number;
  readonly to: number;
}

export interface ParsedExpression {
  readonly selectors: readonly Selector[];
  readonly groupings: readonly Grouping[];
  /** Functions and aggregations used (`rate`, `sum`, `histogram_quantile`, …). */
  readonly functions: readonly string[];
}

const AGGREGATIONS = new Set(['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group', 'limitk', 'limit_ratio']);
const KEYWORDS = new Set(['bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);
const PUNCT = ['=~', '!~', '!=', '==', '>=', '<=', '(', ')', '{', '}', ',', '=', '<', '>', '+', '-', '*', '/', '%', '^', '@'];

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      if (j >= expr.length) throw new Error(`unterminated string in ${expr}`);
      tokens.push({ kind: 'string', text: expr.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === '[') {
      const j = expr.indexOf(']', i);
      if (j < 0) throw new Error(`unterminated range in ${expr}`);
      tokens.push({ kind: 'range', text: expr.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    const number = /^(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(expr.slice(i));
    if (number) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const variable = /^\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/.exec(expr.slice(i));
    if (variable) {
      tokens.push({ kind: 'var', text: variable[0] });
      i += variable[0].length;
      continue;
    }
    const punct = PUNCT.find((p) => expr.startsWith(p, i));
    if (punct === undefined) throw new Error(`unexpected ${JSON.stringify(c)} at ${i} in ${expr}`);
    tokens.push({ kind: 'punct', text: punct });
    i += punct.length;
  }
  return tokens;
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.kind === 'punct' && token.text === text;
}

/** Index of the `)` closing the `(` at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')') && --depth === 0) return i;
  }
  throw new Error('unbalanced parentheses');
}

/** The identifiers of a `( a, b )` list starting at `open`; returns them and the index of `)`. */
function labelList(tokens: readonly Token[], open: number): { labels: string[]; end: number } {
  if (!isPunct(tokens[open], '(')) throw new Error(`expected a label list at token ${open}`);
  const end = closing(tokens, open);
  const labels = tokens.slice(open + 1, end).filter((t) => t.kind === 'ident').map((t) => t.text);
  return { labels, end };
}

export function parsePromQL(expr: string): ParsedExpression {
  const tokens = tokenize(expr);
  const selectors: Selector[] = [];
  const groupings: Grouping[] = [];
  const functions: string[] = [];
  const consumed = new Set<number>();

  for (let i = 0; i < tokens.length; i++) {
    if (consumed.has(i)) continue;
    const token = tokens[i];
    if (token === undefined) continue;
    if (token.kind === 'punct' && token.text === '{') {
      const { labels, end } = matchers(tokens, i);
      selectors.push({ name: undefined, labels, at: i });
      for (let k = i; k <= end; k++) consumed.add(k);
      continue;
    }
    if (token.kind !== 'ident') continue;
    const name = token.text;
    const next = tokens[i + 1];
    if (name === 'by' || name === 'without') continue; // read with their aggregation
    if (name === 'on' || name === 'ignoring' || ((name === 'group_left' || name === 'group_right') && isPunct(next, '('))) {
      const { labels, end } = labelList(tokens, i + 1);
      groupings.push({ clause: name, labels, from: 0, to: tokens.length - 1 });
      for (let k = i; k <= end; k++) consumed.add(k);
      continue;
    }
    if (name === 'group_left' || name === 'group_right' || KEYWORDS.has(name.toLowerCase())) continue;
    if (AGGREGATIONS.has(name) && (isPunct(next, '(') || next?.text === 'by' || next?.text === 'without')) {
      functions.push(name);
      let j = i + 1;
      let clause: 'by' | 'without' | undefined;
      let labels: string[] = [];
      const readClause = (at: number): number => {
        clause = tokens[at]?.text as 'by' | 'without';
        const list = labelList(tokens, at + 1);
        labels = list.labels;
        for (let k = at; k <= list.end; k++) consumed.add(k);
        return list.end + 1;
      };
      if (tokens[j]?.text === 'by' || tokens[j]?.text === 'without') j = readClause(j);
      const end = closing(tokens, j);
      if (tokens[end + 1]?.text === 'by' || tokens[end + 1]?.text === 'without') readClause(end + 1);
      if (clause !== undefined) groupings.push({ clause, labels, from: j, to: end });
      continue;
    }
    if (isPunct(next, '(')) {
      functions.push(name);
      continue;
    }
    // A metric selector, with or without matchers.
    if (isPunct(next, '{')) {
      const { labels, end } = matchers(tokens, i + 1);
      selectors.push({ name, labels, at: i });
      for (let k = i; k <= end; k++) consumed.add(k);
    } else selectors.push({ name, labels: [], at: i });
  }
  return { selectors, groupings, functions };
}

function matchers(tokens: readonly Token[], open: number): { labels: string[]; end: number } {
  const labels: string[] = [];
  let i = open + 1;
  while (!isPunct(tokens[i], '}')) {
    const label = tokens[i];
    const op = tokens[i + 1];
    const value = tokens[i + 2];
    if (label?.kind !== 'ident' || op?.kind !== 'punct' || !['=', '!=', '=~', '!~'].includes(op.text) || value?.kind !== 'string') {
      throw new Error(`malformed matcher at token ${i}`);
    }
    labels.push(label.text);
    i += 3;
    if (isPunct(tokens[i], ',')) i++;
  }
  return { labels, end: i };
}
