'use strict';
// Module boundaries as a lint rule (docs/architecture.md): a feature module under
// src/modules/<name>/ is imported by other modules only through its index.ts, and src/platform/
// imports no feature module. Resolved on real paths, so a folder that happens to share a
// module's name (chat/tools/ vs modules/tools/) is no false positive.
const { dirname, join, relative, resolve, sep } = require('node:path');

const ROOT = resolve(__dirname, '..');
const MODULES = join(ROOT, 'src', 'modules');
const PLATFORM = join(ROOT, 'src', 'platform');

/** `{ module, rest }` of a path under src/modules, or null. */
function moduleOf(path) {
  const rel = relative(MODULES, path);
  if (rel.startsWith('..') || rel === '') return null;
  const [module, ...rest] = rel.split(sep);
  return { module, rest: rest.join('/') };
}

const PUBLIC_ENTRY = new Set(['', 'index', 'index.ts']);

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'modules import each other only through index.ts; platform imports none' },
    messages: {
      internal:
        "'{{source}}' reaches into module '{{target}}': import what it exports from its index.ts instead",
      platform: "src/platform must not import feature module '{{target}}' ('{{source}}')",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const here = moduleOf(file);
    const inPlatform = !relative(PLATFORM, file).startsWith('..');
    function check(node) {
      const source = node.source && node.source.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = moduleOf(resolve(dirname(file), source));
      if (!target) return;
      if (inPlatform) {
        context.report({ node, messageId: 'platform', data: { source, target: target.module } });
      } else if (here?.module !== target.module && !PUBLIC_ENTRY.has(target.rest)) {
        context.report({ node, messageId: 'internal', data: { source, target: target.module } });
      }
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) =>
        node.source.type === 'Literal' && check({ source: node.source, ...node }),
    };
  },
};

module.exports = { rules: { 'module-boundaries': rule } };
