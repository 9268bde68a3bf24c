// A real OpenID Connect provider (panva/oidc-provider, pinned by package-lock.json) standing in for ProConnect in
// tests/proconnect: one confidential client, ProConnect's scopes and claims (email, given_name, usual_name,
// siret, uid, idp_id), the amr/acr of each account, the userinfo answered as a signed JWT (application/jwt)
// and the end-session endpoint. Loopback only, on the port the test chose.
//
// Environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_URI and
// OIDC_ACCOUNTS, a JSON object {login: {email, given_name, usual_name, siret, uid, idp_id, amr: [...], acr}}.
// The login page is a plain form (POST /interaction/<uid>/login with `login`); consent is given at once.
import http from 'node:http';

import Provider from 'oidc-provider';

const env = process.env;
const port = Number(env.OIDC_PORT);
const accounts = JSON.parse(env.OIDC_ACCOUNTS || '{}');
const issuer = `http://127.0.0.1:${port}`;
const SCOPES = ['openid', 'email', 'given_name', 'usual_name', 'siret', 'uid', 'idp_id'];

const provider = new Provider(issuer, {
  clients: [{
    client_id: env.OIDC_CLIENT_ID,
    client_secret: env.OIDC_CLIENT_SECRET,
    redirect_uris: [env.OIDC_REDIRECT_URI],
    post_logout_redirect_uris: [env.OIDC_POST_LOGOUT_URI],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256', // ProConnect answers the userinfo as a signed JWT
  }],
  scopes: SCOPES,
  claims: {
    ...Object.fromEntries(SCOPES.filter((s) => s !== 'openid').map((s) => [s, [s]])),
    amr: null, // returned in the id_token when asked for (claims parameter), as at ProConnect
  },
  acrValues: ['eidas1', 'eidas2', 'eidas3'],
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    claimsParameter: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><title>Déconnexion</title>${form}<button form="op.logoutForm" name="logout" value="yes">Oui</button>`;
      },
    },
  },
  pkce: { required: () => false },
  cookies: { keys: ['test-only-cookie-key'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const { amr, acr, ...claims } = account;
        return { sub: id, ...claims };
      },
    };
  },
});

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;
  if (req.method === 'POST' && req.url.endsWith('/login')) {
    const login = (await readForm(req)).get('login');
    const account = accounts[login];
    if (!account) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown test account');
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId: login, amr: account.amr || ['pwd'], acr: account.acr || 'eidas1' },
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent') {
    const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
    `<!DOCTYPE html><title>Fournisseur d'identité de test</title>
<form method="post" action="/interaction/${uid}/login"><label>Identifiant <input name="login"></label>
<button type="submit">Se connecter</button></form>`,
  );
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  } else {
    callback(req, res);
  }
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
