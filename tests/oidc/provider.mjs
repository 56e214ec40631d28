// A real OpenID provider for the tests: panva's oidc-provider (npm, tests/browser/package.json)
// on a free loopback port. Started by tests/oidc/conftest.py with one JSON argument:
//   {"client": {"client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris"},
//    "accounts": {"<login>": {claims...}}}
// Its development interactions stand in for the municipality's login page: any login name is
// accepted and becomes the account id; findAccount answers that account's claims (sub is the
// login name). The claims of an account can be replaced while it runs:
//   PUT /_test/accounts/<login>  body: the new claims (JSON)
// Once listening it prints one line, {"issuer": "http://127.0.0.1:<port>"}, on stdout.
import http from 'node:http';

// Installed with the browser tests' packages (one `npm ci --prefix tests/browser`).
const { default: Provider } = await import(
  new URL('../browser/node_modules/oidc-provider/lib/index.js', import.meta.url)
);

const config = JSON.parse(process.argv[2] ?? '{}');
const accounts = new Map(Object.entries(config.accounts ?? {}));

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        ...config.client,
      },
    ],
    // The role and organisation-unit claims ride on the profile scope, as a broker in front
    // of KOMBIT's Context Handler would release them.
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'roles', 'institution', 'district'],
      email: ['email'],
    },
    // The claims of the requested scopes go into the ID token (the app reads only it).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><head><title>Log ud</title></head><body>${form}`
            + '<button type="submit" form="op.logoutForm" value="yes" name="logout">Ja</button>'
            + '</body></html>';
        },
      },
    },
    cookies: { keys: ['trivselsguiden-test-provider-cookie-key'] },
    async findAccount(ctx, id) {
      if (!accounts.has(id)) return undefined;
      return {
        accountId: id,
        async claims() {
          return { ...accounts.get(id), sub: id };
        },
      };
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const prefix = '/_test/accounts/';
    if (req.method === 'PUT' && req.url.startsWith(prefix)) {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        accounts.set(decodeURIComponent(req.url.slice(prefix.length)), JSON.parse(body));
        res.writeHead(204).end();
      });
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
