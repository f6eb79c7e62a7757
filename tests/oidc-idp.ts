/**
 * A small but real OpenID Connect provider for the federation tests: `oidc-provider` over HTTP on a
 * random local port, issuing ID tokens with a `national_id` claim for demo citizens. Sign-in at the
 * provider is one request, `GET /interaction/:uid/login?account=<id>`; consent is implied for its one
 * client. `IdpBrowser` follows the redirects with its own cookie jar, as a browser would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts: their id at the provider and the national ID it vouches for (none: the claim is left out). */
  accounts: Map<string, { nationalId?: string }>;
  close(): Promise<void>;
}

export async function startTestIdp(opts: { redirectUri: string; port?: number }): Promise<TestIdp> {
  const accounts = new Map<string, { nationalId?: string }>();
  const clientId = 'mydata-platform';
  const clientSecret = 'test-idp-secret-0123456789abcdef';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: ['test-idp-cookie-key'] },
    claims: { openid: ['sub', 'national_id'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      userinfo: { enabled: false },
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, ...(account.nationalId ? { national_id: account.nationalId } : {}) }),
      };
    },
    async loadExistingGrant(ctx) {
      // The platform is this provider's only client: consent is implied.
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope('openid');
      grant.addOIDCClaims(['sub', 'national_id']);
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const login = /^\/interaction\/([^/?]+)\/login\?account=([^&]+)$/.exec(req.url ?? '');
    if (!login) {
      callback(req, res);
      return;
    }
    provider
      .interactionFinished(req, res, { login: { accountId: decodeURIComponent(login[2] ?? '') } })
      .catch((error: unknown) => {
        res.statusCode = 400;
        res.end(String(error));
      });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser's side at the provider: follows its redirects with a cookie jar, signs in as an account. */
export class IdpBrowser {
  private jar = new Map<string, string>();

  private async get(url: string): Promise<Response> {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  /**
   * From the authorization URL the platform redirected to, signs in as `account` and answers the
   * redirect back to the platform (its callback URL with code, state and iss).
   */
  async signIn(authorizationUrl: string, account: string): Promise<URL> {
    let url = new URL(authorizationUrl);
    const origin = url.origin;
    for (let hop = 0; hop < 10; hop++) {
      if (url.origin !== origin) return url;
      const interaction = /^\/interaction\/([^/]+)$/.exec(url.pathname);
      if (interaction) url = new URL(`/interaction/${interaction[1]}/login?account=${account}`, origin);
      const res = await this.get(url.href);
      const location = res.headers.get('location');
      if (!location)
        throw new Error(`the provider answered ${res.status} at ${url.pathname}: ${await res.text()}`);
      url = new URL(location, url);
    }
    throw new Error('too many redirects at the provider');
  }
}
