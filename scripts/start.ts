/**
 * `npm start`: the whole platform on one machine with the demo catalogue and population.
 * This is the composition root, the one place that sees both the platform and the demo.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createPopulation,
  DEMO_SEED,
  demoCatalogue,
  demoNhiPin,
  findTestPersonas,
  MAX_POPULATION_SIZE,
  startDemoAgencies,
  startDemoServices,
  startMailbox,
  writePkcs12,
} from '@mydata/demo';
import { ConfigError, loadConfig, loadOrCreateSigningKey, spkiSha256, startPlatform } from '@mydata/server';

const SHUTDOWN_TIMEOUT_MS = 15_000;

function fail(message: string): never {
  console.error(`\n無法啟動 MyData 平臺 / Cannot start the MyData platform:\n${message}\n`);
  process.exit(1);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

const populationSize = Number(process.env.DEMO_POPULATION ?? 10_000);
if (!Number.isInteger(populationSize) || populationSize < 1 || populationSize > MAX_POPULATION_SIZE) {
  fail(
    `DEMO_POPULATION=${JSON.stringify(process.env.DEMO_POPULATION)}: must be an integer from 1 to ${MAX_POPULATION_SIZE}`,
  );
}
// DEMO_SERVICES_PORT sets the first of five consecutive ports for the demo services; by default each takes a free one.
const servicesPort = Number(process.env.DEMO_SERVICES_PORT ?? 0);
if (!Number.isInteger(servicesPort) || servicesPort < 0 || servicesPort > 65531) {
  fail(
    `DEMO_SERVICES_PORT=${JSON.stringify(process.env.DEMO_SERVICES_PORT)}: must be a port from 0 to 65531`,
  );
}
const population = createPopulation({ seed: DEMO_SEED, size: populationSize });
const personas = findTestPersonas(population, Math.min(populationSize, 20_000));
// The demo operator: the frequent traveller reviews applications and administers every demo organisation.
const demoOperator = personas.find((p) => p.kind === 'frequent-traveller')?.citizen;
if (process.env.OPERATOR_NATIONAL_IDS === undefined && demoOperator) {
  config = { ...config, onboarding: { operatorNationalIds: [demoOperator.nationalId] } };
}

const startedAt = performance.now();
// Notifications go to the demo mailbox unless a real SMTP server or SMS gateway is configured.
const mailbox =
  config.notify.smtpUrl && config.notify.smsGatewayUrl
    ? undefined
    : await startMailbox().catch((error: unknown) =>
        fail(`demo mailbox: ${error instanceof Error ? error.message : String(error)}`),
      );
if (mailbox) {
  config = {
    ...config,
    notify: {
      ...config.notify,
      smtpUrl: config.notify.smtpUrl ?? mailbox.smtpUrl,
      smsGatewayUrl: config.notify.smsGatewayUrl ?? mailbox.smsUrl,
    },
  };
}
// `npm start` builds the portal first (prestart); started another way, the API still runs without it.
const webRoot = join(import.meta.dirname, '..', 'packages', 'web', 'dist');
const portalBuilt = existsSync(join(webRoot, 'index.html'));
const platform = await startPlatform({
  config,
  catalogue: demoCatalogue,
  ...(portalBuilt ? { webRoot } : {}),
  // Synthetic citizens anyone may sign in as: the only ones sandbox services accept.
  sandboxPersonas: personas.map((p) => ({
    nationalId: p.citizen.nationalId,
    name: p.citizen.name,
    kind: p.kind,
    description: p.description,
  })),
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
// Each demo agency is its own HTTPS server (as a real one would be elsewhere), registered with the
// platform: where it is, which certificate key to pin, which keys sign its responses.
const { exchange } = platform;
const issueCertificate = exchange.issueLocalAgencyCertificate;
// With real certificates configured the local CA is not there to issue demo agency certificates;
// the platform then talks only to agencies registered for real.
const agencies = issueCertificate
  ? await startDemoAgencies({
      population,
      catalogue: demoCatalogue,
      platformId: exchange.platformId,
      platformKeys: exchange.platformKeys,
      clientCa: exchange.clientCa,
      credentials: issueCertificate,
      signingKeys: (id) => loadOrCreateSigningKey(join(config.dataDir, 'pki', 'agencies', `${id}.jwk.json`)),
      host: '127.0.0.1',
    }).catch(async (error: unknown) => {
      await platform.stop();
      return fail(`demo agencies: ${error instanceof Error ? error.message : String(error)}`);
    })
  : { agencies: [], close: async () => {} };
for (const a of agencies.agencies) {
  await exchange.registerAgency({
    agencyId: a.agencyId,
    baseUrl: a.url,
    tlsSpkiSha256: [spkiSha256(a.cert)],
    jwks: { keys: [a.publicJwk as never] },
  });
}
await exchange.gateway.checkHealth();

// The demo online services are web apps of their own, each registered as the platform's OAuth
// client (its catalogue id is the client id) with its public keys, callback and webhook address.
const services = await startDemoServices({
  platformUrl: config.publicUrl,
  dataDir: config.dataDir,
  catalogue: demoCatalogue,
  ports: servicesPort,
}).catch(async (error: unknown) => {
  await Promise.all([platform.stop(), agencies.close()]);
  return fail(`demo services: ${error instanceof Error ? error.message : String(error)}`);
});
for (const s of services) {
  await platform.oauth.registerClient({
    clientId: s.serviceId,
    jwks: s.publicJwks,
    redirectUris: [s.redirectUri],
    webhookUrl: s.webhookUrl,
  });
}

if (demoOperator) {
  for (const o of demoCatalogue.organisations) {
    await platform.staff.add({
      organisationId: o.id,
      nationalId: demoOperator.nationalId,
      role: 'admin',
      label: '示範管理者 Demo admin',
    });
  }
}

// The demo counter clerk: the young parent works the desks of the two demo counter services' providers.
const demoClerk = personas.find((p) => p.kind === 'young-parent')?.citizen;
const counterProviders = [
  ...new Set(demoCatalogue.services.filter((s) => s.mode === 'counter').map((s) => s.providerId)),
];
if (demoClerk) {
  for (const organisationId of counterProviders) {
    await platform.staff.add({
      organisationId,
      nationalId: demoClerk.nationalId,
      role: 'counter-clerk',
      label: '示範臨櫃人員 Demo clerk',
    });
  }
}

// Each persona gets a citizen-certificate "card" (PKCS#12, PIN 123456) from the national test CA,
// for the card tool: tsx packages/demo/src/card/cli.ts sign-in --card <file> --pin 123456.
const cardsDir = join(config.dataDir, 'cards');
mkdirSync(cardsDir, { recursive: true, mode: 0o700 });
for (const p of personas) {
  const file = join(cardsDir, `${p.citizen.nationalId}.p12`);
  if (existsSync(file)) continue;
  const issued = await platform.nationalCa.issue({
    nationalId: p.citizen.nationalId,
    commonName: p.citizen.name,
  });
  writeFileSync(file, writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' }), {
    mode: 0o600,
  });
}

const database = config.databaseUrl
  ? `PostgreSQL ${new URL(config.databaseUrl).host}${new URL(config.databaseUrl).pathname}`
  : `embedded PGlite in ${config.dataDir}/pgdata`;
const base = platform.url.replace('127.0.0.1', 'localhost');

console.log(`
MyData 個人化資料自主運用平臺 is ready in ${Math.round(performance.now() - startedAt)} ms
  Platform      ${base}
  Portal        ${portalBuilt ? `${base}/   (citizen web portal, zh-TW / English)` : 'not built: run npm run build:web, or start with npm start'}
  Catalogue     ${base}/api/v1/datasets   ${base}/api/v1/services
  Statistics    ${base}/statistics   ${base}/api/v1/statistics   ${base}/api/v1/statistics/usage?by=month
  Organisations ${base}/organisations   (sign up, apply, sandbox; docs/onboarding.md)
  Operator      ${base}/operator   (operator console; operators: ${config.onboarding.operatorNationalIds.join(', ') || 'none; set OPERATOR_NATIONAL_IDS'}${demoOperator ? `; ${demoOperator.nationalId} is also admin of every demo organisation` : ''})
  Sandbox       ${base}/api/v1/sandbox/personas   (the test personas sandbox services accept)
  Counter       ${base}/counter   (citizen: consent, then show the QR or short code; docs/counter.md)
  Counter clerk ${base}/clerk   (${demoClerk ? `${demoClerk.nationalId} ${demoClerk.name} is counter clerk of ${counterProviders.join(', ')}` : 'no demo clerk'})
  Developers    ${base}/developers   (developer guide: getting started, protocol, webhooks, test personas)
  API (OpenAPI) ${base}/openapi.json
  Health        ${base}/healthz   ${base}/readyz
  Database      ${database}
  Usage log     ${base}/api/v1/log/checkpoint   (audit: npx mydata-audit verify ${base})
  Mailbox       ${mailbox ? `${mailbox.url.replace('127.0.0.1', 'localhost')}   (demo e-mail and SMS)` : `SMTP ${new URL(config.notify.smtpUrl ?? 'smtp://-').host}, SMS ${config.notify.smsGatewayUrl}`}
  Exchange      ${base}/api/v1/status/agencies   ${issueCertificate ? `(mutual TLS, local CA in ${config.dataDir}/pki)` : '(configured certificates; no demo agencies)'}
${agencies.agencies.map((a) => `    ${a.agencyId.padEnd(24)} ${a.url}`).join('\n')}
  Services      online services that fill in forms with MyData (docs/service-quickstart.md)
${services.map((s) => `    ${s.serviceId.padEnd(40)} ${s.url}`).join('\n')}
  Demo          ${demoCatalogue.datasets.length} datasets from ${demoCatalogue.organisations.filter((o) => o.roles.includes('data-provider')).length} agencies, ${demoCatalogue.services.length} services
  Population    ${populationSize.toLocaleString('en')} synthetic citizens (seed ${DEMO_SEED}); test personas:
${personas.map((p) => `    ${p.citizen.nationalId} ${p.citizen.name}  ${p.description['zh-TW']}`).join('\n')}
  Sign-in       ${base}/api/v1/identity/methods   (docs/identity.md)
    自然人憑證 cards ${cardsDir}/<national ID>.p12, PIN 123456:
      npx tsx packages/demo/src/card/cli.ts sign-in --card ${cardsDir}/${personas[0]?.citizen.nationalId ?? 'A123456789'}.p12 --pin 123456 --platform ${base}
    健保卡 NHI card + PIN, 雙證件 two documents and 行動化驗證 mobile number (code in the mailbox), for the personas:
${personas.map((p) => `      ${p.citizen.nationalId}  NHI ${p.citizen.nhiCardNumber}  PIN ${demoNhiPin(population.seed, p.citizen.nationalId)}  戶號 ${p.citizen.household.number}${p.citizen.mobile ? `  手機 ${p.citizen.mobile}` : ''}`).join('\n')}
Press Ctrl+C to stop.
`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing requests in flight, then stopping`);
    setTimeout(() => {
      console.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    Promise.all([
      platform.stop().then(() => mailbox?.close()),
      agencies.close(),
      ...services.map((s) => s.stop()),
    ]).then(
      () => {
        console.log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  });
}
