// @ts-check
/**
 * Jest transform for the few ESM-only packages the API loads (@tus/*,
 * srvx): Jest runs our suites as CommonJS and, on Node before 24.9, cannot
 * require ESM, so their modules are transpiled to CommonJS with the
 * TypeScript compiler the repository already uses. Node itself loads them
 * natively (the API imports them dynamically).
 */
const ts = require('typescript');

module.exports = {
  process(source, filename) {
    const { outputText } = ts.transpileModule(source, {
      fileName: filename.replace(/\.mjs$/, '.js'),
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
      },
    });
    return { code: outputText };
  },
};
