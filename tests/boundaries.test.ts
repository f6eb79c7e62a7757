import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** What each package may import of ours (docs/architecture.md). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  server: ['core'],
  sdk: ['core'],
  demo: ['sdk', 'core'],
  web: ['core'],
  // The auditor is an independent implementation of the published log format: it imports nothing of ours.
  auditor: [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|tsx)$/.test(e.name) ? [path] : [];
  });
}

/** The package of ours an import specifier reaches, by name or by a relative path that leaves its package. */
function targetPackage(file: string, specifier: string): string | undefined {
  const named = /^@mydata\/([\w-]+)/.exec(specifier);
  if (named) return named[1];
  if (!specifier.startsWith('.')) return undefined;
  const inRepo = relative(resolve('packages'), resolve(dirname(file), specifier));
  return inRepo.startsWith('..') ? 'outside packages/' : inRepo.split(/[\\/]/)[0];
}

describe('Package boundaries', () => {
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    it(`${pkg} imports only ${allowed.length ? allowed.join(' and ') : 'nothing of ours'}`, () => {
      let files: string[] = [];
      try {
        files = sourceFiles(join('packages', pkg, 'src'));
      } catch {
        return;
      }
      const offending = files.flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)]
          .map((m) => targetPackage(file, m[1] ?? ''))
          .filter(
            (target): target is string => target !== undefined && target !== pkg && !allowed.includes(target),
          )
          .map((target) => `${file} imports ${target}`),
      );
      expect(offending).toEqual([]);
    });
  }

  // The portal runs in browsers: core's runtime (typebox, node:crypto) must not end up in its bundle.
  it('web imports core for its types only', () => {
    const files = sourceFiles(join('packages', 'web', 'src')).filter((f) => !/\.test\.tsx?$/.test(f));
    const valueImports = files.flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(
          /^\s*(import|export)\s+(type\s+)?[^;]*?from\s*['"]@mydata\/[^'"]+['"]/gm,
        ),
      ]
        .filter((m) => !m[2])
        .map((m) => `${file}: ${m[0].trim()}`),
    );
    expect(valueImports).toEqual([]);
  });
});
