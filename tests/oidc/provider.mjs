// A real OpenID Connect provider for the tests: the certified `oidc-provider` package with its
// development sign-in pages (any login name is accepted; the account's e-mail is the login name).
//
// Usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
// The package is looked up in OIDC_PROVIDER_NODE_MODULES, else in the project's node_modules.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const candidates = [
  process.env.OIDC_PROVIDER_NODE_MODULES,
  join(here, '..', '..', 'node_modules'),
].filter(Boolean);
const modules = candidates.find((dir) => existsSync(join(dir, 'oidc-provider', 'package.json')));
if (!modules) {
  console.error(`oidc-provider not found in ${candidates.join(', ')}`);
  process.exit(2);
}
const { default: Provider } = await import(
  pathToFileURL(join(modules, 'oidc-provider', 'lib', 'index.js')).href
);

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: id.split('@')[0] };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['tests-only-cookie-key'] },
});
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
