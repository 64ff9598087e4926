import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/*
 * The import graph of our TypeScript sources, type-only imports included: a cycle made only of
 * `import type` arrows costs nothing at run time, but it still means two modules each claim to own
 * what the other one needs, so a reader cannot start at either.
 */

/** Module path (relative to the root, `/`-separated) to the modules it imports. */
export type ImportGraph = Map<string, string[]>;

/** Every `.ts` file under each directory, recursively; `node_modules` skipped. */
export function typeScriptFiles(root: string, directories: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.name === "node_modules") continue;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(path);
    }
  };
  for (const directory of directories) {
    const absolute = resolve(root, directory);
    if (existsSync(absolute)) walk(absolute);
  }
  return files.sort();
}

/** `@idp-failover/x[/sub]` to the file its package.json `exports` names, for every workspace package. */
export function workspaceExports(root: string): Map<string, string> {
  const exports = new Map<string, string>();
  const packagesDirectory = join(root, "packages");
  if (!existsSync(packagesDirectory)) return exports;
  for (const entry of readdirSync(packagesDirectory, { withFileTypes: true })) {
    const manifestPath = join(packagesDirectory, entry.name, "package.json");
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest: unknown = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (typeof manifest !== "object" || manifest === null) continue;
    const { name, exports: map } = manifest as { name?: unknown; exports?: unknown };
    if (typeof name !== "string" || typeof map !== "object" || map === null) continue;
    for (const [subpath, target] of Object.entries(map)) {
      if (typeof target !== "string") continue;
      const specifier = subpath === "." ? name : `${name}/${subpath.replace(/^\.\//, "")}`;
      exports.set(specifier, join(packagesDirectory, entry.name, target));
    }
  }
  return exports;
}

/** The graph over `files`: relative imports (`./x.js` is `./x.ts`) and workspace package names. */
export function importGraph(root: string, files: readonly string[]): ImportGraph {
  const packages = workspaceExports(root);
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = new Set<string>();
    for (const { fileName: specifier } of importedFiles) {
      const target = resolveSpecifier(file, specifier, packages);
      if (target && known.has(target)) targets.add(toKey(root, target));
    }
    graph.set(toKey(root, file), [...targets].sort());
  }
  return graph;
}

function resolveSpecifier(
  from: string,
  specifier: string,
  packages: Map<string, string>,
): string | undefined {
  if (!specifier.startsWith(".")) return packages.get(specifier);
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")];
  return candidates.find((candidate) => existsSync(candidate));
}

function toKey(root: string, file: string): string {
  return relative(root, file).split("\\").join("/");
}

/** Modules that import each other, directly or through others, and one cycle through them. */
export interface ImportKnot {
  /** Every module in the knot (a strongly connected component), sorted. */
  modules: string[];
  /** One closed path through it, starting and ending at its first module: an arrow to remove. */
  cycle: string[];
}

/**
 * The knots in the graph: every strongly connected component of two or more modules, or one module
 * importing itself. Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
 */
export function findKnots(graph: ImportGraph): ImportKnot[] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const frames: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    lowLink.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { node: string; next: number };
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const target = edges[frame.next++] as string;
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          frames.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent)
        lowLink.set(parent.node, Math.min(lowLink.get(parent.node) ?? 0, lowLink.get(frame.node) ?? 0));
      if (lowLink.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      const selfImport = (graph.get(frame.node) ?? []).includes(frame.node);
      if (component.length > 1 || selfImport) components.push(component);
    }
  }
  return components.map((component) => ({
    modules: [...component].sort(),
    cycle: cyclePath(graph, new Set(component)),
  }));
}

/** One closed walk through a component, by breadth-first search from its first module back to it. */
function cyclePath(graph: ImportGraph, component: Set<string>): string[] {
  const start = [...component].sort()[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const target of graph.get(node) ?? []) {
      if (!component.has(target)) continue;
      if (target === start) {
        const path: string[] = [];
        for (let at = node; at !== start; at = previous.get(at) as string) path.unshift(at);
        return [start, ...path, start];
      }
      if (previous.has(target) || target === start) continue;
      previous.set(target, node);
      queue.push(target);
    }
  }
  return [start, start];
}
