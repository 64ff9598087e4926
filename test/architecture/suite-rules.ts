import { readFileSync } from "node:fs";
import { relative } from "node:path";
import ts from "typescript";

/*
 * The rules that keep the suite one a contributor runs often (CONTRIBUTING.md, "The suite"), read
 * from the test sources: no test may take more than a minute, and no test code waits on the wall
 * clock with timers of its own (fake timers, the virtual clock, FakeClock or a stop point instead;
 * waiting for a server's answer uses vi.waitFor).
 */

/** The longest a single test may be allowed to run. */
export const maxTestMs = 60_000;

export interface SuiteRuleBreak {
  file: string;
  line: number;
  rule: string;
}

/** Calls that declare a test: `it(...)`, `test(...)`, and their `.concurrent`, `.each(...)`, ... forms. */
function isTestCall(call: ts.CallExpression): boolean {
  let callee: ts.Expression = call.expression;
  while (ts.isCallExpression(callee) || ts.isPropertyAccessExpression(callee)) {
    callee = ts.isCallExpression(callee) ? callee.expression : callee.expression;
  }
  return ts.isIdentifier(callee) && (callee.text === "it" || callee.text === "test");
}

function numberOf(node: ts.Node): number | undefined {
  return ts.isNumericLiteral(node) ? Number(node.text.replace(/_/g, "")) : undefined;
}

/** The timeout a test call gives itself: a number as its last argument, or `{ timeout }`. */
function timeoutOf(call: ts.CallExpression): number | undefined {
  const last = call.arguments.at(-1);
  if (!last || call.arguments.length < 2) return undefined;
  const direct = numberOf(last);
  if (direct !== undefined) return direct;
  const options = call.arguments.length >= 3 ? call.arguments[1] : undefined;
  if (options && ts.isObjectLiteralExpression(options)) {
    for (const property of options.properties) {
      if (
        ts.isPropertyAssignment(property) &&
        ts.isIdentifier(property.name) &&
        property.name.text === "timeout"
      ) {
        return numberOf(property.initializer);
      }
    }
  }
  return undefined;
}

/** Every break of the rules in these files (paths reported relative to `root`). */
export function suiteRuleBreaks(root: string, files: readonly string[]): SuiteRuleBreak[] {
  const breaks: SuiteRuleBreak[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const at = (node: ts.Node, rule: string) =>
      breaks.push({
        file: relative(root, file),
        line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
        rule,
      });
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        if (isTestCall(node)) {
          const timeout = timeoutOf(node);
          if (timeout !== undefined && timeout > maxTestMs) {
            at(node, `a test allowed ${timeout} ms, over ${maxTestMs}: make it faster or split it`);
          }
        }
        const callee = node.expression;
        if (ts.isIdentifier(callee) && (callee.text === "setTimeout" || callee.text === "setInterval")) {
          at(
            node,
            `${callee.text} in test code: use fake timers, the virtual clock, a stop point or vi.waitFor`,
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return breaks;
}
