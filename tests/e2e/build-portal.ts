import { ensurePortalBuilt } from '../../scripts/build-web.ts';

/** The browser tests drive the built portal, as `npm start` serves it: build it first if stale. */
export default function setup() {
  const took = ensurePortalBuilt();
  if (took !== undefined) console.log(`web portal built in ${Math.round(took)} ms`);
}
