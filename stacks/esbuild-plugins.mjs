import path from "node:path";

/*
 * esbuild plugins for every function (SST's `nodejs.plugins`, and bench/bundles): zod v4's classic
 * API keeps every locale (~250 KB of ~40 languages) because `z.locales` hangs off the namespace;
 * our messages are English, so the locales index is replaced by English alone.
 */
export const zodEnglishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /locales[\\/]index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]/.test(args.importer)) return undefined;
      const dir = path.resolve(args.resolveDir, path.dirname(args.path));
      return { path: path.join(dir, "index.js"), namespace: "zod-english-only", pluginData: { dir } };
    });
    build.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(args.pluginData.dir, "en.js"))};`,
      resolveDir: args.pluginData.dir,
      loader: "js",
    }));
  },
};

export default [zodEnglishOnly];
