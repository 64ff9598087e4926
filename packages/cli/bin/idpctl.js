#!/usr/bin/env node
// Entry for `npx idpctl`: registers tsx so the TypeScript sources run as they are, without a build step.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
