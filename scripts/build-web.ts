/**
 * Builds the web portal when its sources are newer than the last build, so `npm start` serves the
 * current portal without paying for a build on every start. Run by `prestart` and the browser tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const WEB_DIR = resolve(import.meta.dirname, '..', 'packages', 'web');
export const WEB_DIST = join(WEB_DIR, 'dist');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** True when the portal was never built or a source, its config or the installed packages changed since. */
export function portalIsStale(): boolean {
  const built = join(WEB_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(WEB_DIR, p));
  sources.push(resolve(WEB_DIR, '..', '..', 'package-lock.json'));
  return Math.max(...sources.filter(existsSync).map(newestChange)) > statSync(built).mtimeMs;
}

/** Builds the portal if it is stale; answers how long the build took in ms, or undefined when none was needed. */
export function ensurePortalBuilt(): number | undefined {
  if (!portalIsStale()) return undefined;
  const startedAt = performance.now();
  // A child process with NODE_ENV=production: under a test runner NODE_ENV is "test", and Vite would
  // then bundle React's development build.
  execFileSync('npm', ['run', 'build', '--silent', '-w', '@mydata/web', '--', '--logLevel', 'warn'], {
    cwd: resolve(WEB_DIR, '..', '..'),
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return performance.now() - startedAt;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const took = ensurePortalBuilt();
  console.log(
    took === undefined
      ? 'web portal is up to date (packages/web/dist)'
      : `web portal built in ${Math.round(took)} ms (packages/web/dist)`,
  );
}
