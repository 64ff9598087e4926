/*
 * The one redactor. Every text that leaves a process (what is stored, logged, published, notified
 * or printed) goes through one, built from the secret values that process holds. A secret is found
 * in the forms it takes on the way out of the libraries we call:
 *   - raw;
 *   - URL-encoded, any mix: `encodeURIComponent`, form encoding (`+` for a space, `!'()*~` escaped),
 *     upper- or lower-case percent hex (one regular expression per secret allows, per character,
 *     the character itself or its escapes, so every mix matches);
 *   - JSON-escaped: `\/`, `\"`, `\\`, `\n` and the like, and `\uXXXX` for any character not a letter
 *     or digit (in the same expression);
 *   - base64, standard or URL-safe, padded or not, alone or at any offset inside a longer base64
 *     text such as a Basic credential `base64(urlencode(id) ":" urlencode(secret))` (RFC 6749
 *     §2.3.1): for each of the three byte alignments the part of the encoding that depends on the
 *     secret alone is precomputed (of the raw and the URL-encoded secret), and a base64 run holding
 *     one is removed whole (the id beside a secret in a Basic credential goes with it);
 * plus shapes that are credentials whatever their value: a JWT, a PEM private key, and what follows
 * `Bearer`, `Basic`, `SSWS` or `DPoP`.
 *
 * Values shorter than `minimumSecretLength` are not secrets here: removing every "1234" or "true"
 * from every log line would garble the logs and protect nothing (a value that short is guessed, not
 * leaked). Not covered: a secret transformed in another way (hashed, encrypted, split across lines,
 * encoded twice), and a base64 text holding the secret with characters escaped inside it.
 */

export const redactedMark = "[redacted]";

/** Shorter values are not treated as secrets (see above). */
export const minimumSecretLength = 6;

export interface Redactor {
  /** The text with every secret, in every form above, replaced by `[redacted]`. */
  text(text: string): string;
  /**
   * The value with every string in it redacted, its structure kept (arrays, plain objects); anything
   * else (numbers, dates, buffers) is kept as is. Unchanged parts are the same objects.
   */
  value<T>(value: T): T;
  /** How many secret values it knows (for a log line at start: never the values). */
  readonly size: number;
}

/** Builds a redactor from the secret values a process holds (undefined and short values skipped). */
export function createRedactor(secretValues: Iterable<string | undefined>): Redactor {
  const secrets = [...new Set([...secretValues].filter(isSecretValue))].sort((a, b) => b.length - a.length);
  const index = new AnchorIndex();
  for (const secret of secrets) {
    index.add(secret, { kind: "escaped", pattern: new RegExp(anyEscapingOf(secret), "g") });
  }
  for (const core of new Set(secrets.flatMap(base64CoresOf))) index.add(core, { kind: "base64", core });
  const text = (input: string): string => {
    let out = input;
    const cores: string[] = [];
    for (const check of index.candidates(input)) {
      if (check.kind === "escaped") out = out.replace(check.pattern, redactedMark);
      else if (out.includes(check.core)) cores.push(check.core);
    }
    if (cores.length > 0) {
      out = out.replace(base64Run, (run) => (cores.some((core) => run.includes(core)) ? redactedMark : run));
    }
    return redactShapes(out);
  };
  return { text, value: (value) => redactDeep(value, text), size: secrets.length };
}

type Check = { kind: "escaped"; pattern: RegExp } | { kind: "base64"; core: string };

/** Letters and digits in a row that every form of a secret keeps as they are: a check's anchor. */
const anchorLength = 6;

/**
 * Which checks a text needs, in time that grows with the text and not with the number of secrets
 * (one regular expression of a thousand alternatives costs a thousand tries at every character).
 * Each check is filed under a hash of `anchorLength` letters and digits that every form of its
 * secret holds as they are (escapes never touch them); a text's windows of letters and digits are
 * hashed as it is read, and only the checks filed under a hash seen run. A secret without such a
 * run (mostly punctuation) is checked on every text.
 */
class AnchorIndex {
  private readonly checks: Check[] = [];
  private readonly byAnchor = new Map<number, number[]>();
  private readonly always: number[] = [];

  /** Files a check under an anchor of `source`; checks added first run first (longest secrets). */
  add(source: string, check: Check): void {
    const id = this.checks.push(check) - 1;
    const anchor = /[A-Za-z0-9]{6,}/.exec(source)?.[0];
    if (anchor === undefined) {
      this.always.push(id);
      return;
    }
    const hash = windowHash(anchor, 0);
    const filed = this.byAnchor.get(hash);
    if (filed) filed.push(id);
    else this.byAnchor.set(hash, [id]);
  }

  candidates(text: string): Check[] {
    if (this.checks.length === 0) return [];
    const ids = new Set(this.always);
    let run = 0;
    for (let i = 0; i < text.length; i++) {
      run = isAlphanumeric(text.charCodeAt(i)) ? run + 1 : 0;
      if (run < anchorLength) continue;
      const filed = this.byAnchor.get(windowHash(text, i - anchorLength + 1));
      if (filed) for (const id of filed) ids.add(id);
    }
    return [...ids].sort((a, b) => a - b).map((id) => this.checks[id] as Check);
  }
}

function windowHash(text: string, from: number): number {
  let hash = 0;
  for (let i = from; i < from + anchorLength; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** A redactor that knows no values: it removes only the credential shapes. */
export const shapesOnlyRedactor: Redactor = createRedactor([]);

function isSecretValue(value: string | undefined): value is string {
  return value !== undefined && value.length >= minimumSecretLength;
}

const jwt = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g;
const pemPrivateKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const afterScheme = /\b(SSWS|Bearer|Basic|DPoP)(\s+|%20|\+)[\w\-.~+/=%]{8,}/gi;

/** Credentials recognised by their shape, whatever their value. */
function redactShapes(text: string): string {
  if (!/eyJ|PRIVATE KEY|SSWS|Bearer|Basic|DPoP/i.test(text)) return text;
  return text
    .replace(jwt, redactedMark)
    .replace(pemPrivateKey, redactedMark)
    .replace(afterScheme, `$1 ${redactedMark}`);
}

function redactDeep<T>(value: T, text: (input: string) => string): T;
function redactDeep(value: unknown, text: (input: string) => string): unknown {
  if (typeof value === "string") return text(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => redactDeep(item, text));
    return items.every((item, i) => item === value[i]) ? value : items;
  }
  if (isPlainObject(value)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const redacted = redactDeep(item, text);
      if (redacted !== item) changed = true;
      out[key] = redacted;
    }
    return changed ? out : value;
  }
  if (value instanceof Error) return redactError(value, text);
  return value;
}

/** An error keeps its class name and cause chain; its message and stack lose the secrets. */
function redactError(error: Error, text: (input: string) => string): Error {
  const message = text(error.message);
  const stack = error.stack === undefined ? undefined : text(error.stack);
  const cause = "cause" in error ? redactDeep(error.cause, text) : undefined;
  if (message === error.message && stack === error.stack && cause === error.cause) return error;
  const copy = new Error(message, "cause" in error ? { cause } : undefined);
  copy.name = error.name;
  if (stack !== undefined) copy.stack = stack;
  return copy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

const utf8 = new TextEncoder();

/** A pattern matching the secret with each character raw, percent-encoded or JSON-escaped. */
function anyEscapingOf(secret: string): string {
  let pattern = "";
  for (const char of secret) {
    if (/[A-Za-z0-9]/.test(char)) {
      pattern += char;
      continue;
    }
    const forms = [escapeRegExp(char)];
    forms.push([...utf8.encode(char)].map((byte) => `%${hexPattern(byte, 2)}`).join(""));
    if (char === " ") forms.push("\\+");
    const jsonEscape = jsonEscapes[char];
    if (jsonEscape) forms.push(escapeRegExp(jsonEscape));
    const units = [...Array(char.length).keys()].map((i) => char.charCodeAt(i));
    forms.push(units.map((unit) => `\\\\u${hexPattern(unit, 4)}`).join(""));
    pattern += `(?:${forms.join("|")})`;
  }
  return pattern;
}

const jsonEscapes: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "/": "\\/",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** `n` as hex digits, either case: 0x2f, 4 -> `002[fF]`. */
function hexPattern(n: number, digits: number): string {
  return [...n.toString(16).padStart(digits, "0")]
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join("");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** A run of base64 characters (either alphabet), with its padding. */
const base64Run = /[A-Za-z0-9+/_-]+={0,2}/g;

/**
 * The parts of a base64 text that the secret alone decides, at each of the three byte offsets it
 * can start at, in both alphabets; of the secret as is and URL-encoded (a Basic credential encodes
 * it before base64).
 */
function base64CoresOf(secret: string): string[] {
  const sources = new Set([secret, encodeURIComponent(secret), formEncode(secret)]);
  for (const source of [...sources]) sources.add(source.replace(/%[0-9A-F]{2}/g, (s) => s.toLowerCase()));
  const cores: string[] = [];
  for (const source of sources) {
    const bytes = utf8.encode(source);
    for (const offset of [0, 1, 2]) {
      const shifted = new Uint8Array(offset + bytes.length);
      shifted.set(bytes, offset);
      const encoded = base64Of(shifted);
      // Characters before `first` carry bits of the bytes before the secret; from `end` on, of those after.
      const first = Math.ceil((offset * 8) / 6);
      const end = Math.floor((shifted.length * 8) / 6);
      const core = encoded.slice(first, end);
      cores.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
    }
  }
  return cores.filter((core) => core.length >= minimumSecretLength);
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it. */
function formEncode(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2);
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 without padding (core is pure: no Buffer, no btoa on bytes). */
function base64Of(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const chunk = (b0 << 16) | (b1 << 8) | b2;
    const count = Math.min(3, bytes.length - i) + 1;
    for (let j = 0; j < count; j++) out += base64Alphabet[(chunk >> (18 - 6 * j)) & 63];
  }
  return out;
}

/**
 * The secret references of a parsed config, found by their names: every string field whose key
 * ends in `Ref` (`clientSecretRef`, `tokenRef`, `privateKeyRef`, `botTokenRef`, `signingSecretRef`,
 * a webhook's `secretRef`, and whatever a new channel adds), at any depth, deployment and sites alike.
 */
export function secretRefsOf(config: unknown): string[] {
  const refs = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (/Ref$/.test(key) && typeof item === "string") refs.add(item);
        else walk(item);
      }
    }
  };
  walk(config);
  return [...refs];
}

/** The redactor of a runtime: its config's secrets through its secret reader, and its own secrets. */
export function configRedactor(
  config: unknown,
  secret: (ref: string) => string | undefined,
  ownSecrets: Iterable<string | undefined> = [],
): Redactor {
  return createRedactor([...secretRefsOf(config).map(secret), ...ownSecrets]);
}

/**
 * The port with every argument of every call redacted before the call: wrap a sink once (a store,
 * an event publisher, a notification sender) and whatever any use case writes through it is clean,
 * including what later code adds. Plain objects, arrays, strings and errors are redacted; other
 * values (numbers, signals, class instances) pass as they are. What the port answers is not touched.
 */
export function redactingPort<T extends object>(port: T, redactor: Redactor): T {
  return new Proxy(port, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key, target);
      if (typeof member !== "function") return member;
      return (...args: unknown[]) =>
        Reflect.apply(
          member,
          target,
          args.map((arg) => redactor.value(arg)),
        );
    },
  });
}
