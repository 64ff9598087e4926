import { en } from "zod/locales";
import { config } from "zod/mini";

/*
 * The `z` every schema in the repo is written with (one validation dialect): `zod/mini`, the same
 * library as `zod` (same parser, same issues) with a functional API that tree-shakes, ~30 KB in a
 * bundle where the classic API costs ~190 KB. Unlike `zod`, `zod/mini` loads no locale and every
 * message would read "Invalid input"; config validation, probe errors and the issues people see show
 * these messages, so English is set here, once, for whoever imports from this module. This is the
 * only module that imports zod (test/repo/validation-dialect.test.ts holds it to that).
 *
 * Import it as a namespace (`import * as z from "./zod-mini.js"`): a bundler then keeps only the
 * functions used. Never pass the namespace around as a value (`export { z }`, `z[name]`), which
 * keeps all of zod.
 */
config(en());

export * from "zod/mini";
