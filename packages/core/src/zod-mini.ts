import { en } from "zod/locales";
import { config } from "zod/mini";

/*
 * The `z` every schema of ours that the probe Lambda bundles is written with: `zod/mini`, the same
 * library as `zod` (same parser, same issues) with a functional API that tree-shakes, ~30 KB in a
 * bundle where the classic API costs ~190 KB. Unlike `zod`, `zod/mini` loads no locale and every
 * message would read "Invalid input"; config validation and probe errors show these messages, so
 * English is set here, once, for whoever imports from this module (classic `zod`, loaded by the
 * CLI, keeps a locale already set).
 *
 * Import it as a namespace (`import * as z from "./zod-mini.js"`): a bundler then keeps only the
 * functions used. Never pass the namespace around as a value (`export { z }`, `z[name]`), which
 * keeps all of zod.
 */
config(en());

export * from "zod/mini";
