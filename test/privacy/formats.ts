// The secret formats the privacy gate must catch, described by their documented shape (prefix, alphabet, length)
// and a line of the kind that holds them, and generated at run time from a seeded random source: the repository
// holds no secret, only these descriptions. Shared by the unit tests, the engine corpus test and the bench.
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const URLSAFE = `${ALNUM}_-`;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/** Deterministic random text (mulberry32), so a failing case can be run again. */
export class Rand {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  from(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
  /** Random text that has every character class of the alphabet (as real keys of that length do). */
  mixed(alphabet: string, n: number): string {
    if (n < 8) return this.from(alphabet, n);
    for (;;) {
      const s = this.from(alphabet, n);
      const need = [/[A-Z]/, /[a-z]/, /[0-9]/].filter((re) => re.test(alphabet));
      if (need.every((re) => re.test(s))) return s;
    }
  }
  alnum = (n: number) => this.mixed(ALNUM, n);
  upper = (n: number) => this.mixed(UPPER, n);
  lower = (n: number) => this.mixed(LOWER, n);
  hex = (n: number) => this.mixed(HEX, n);
  b64 = (n: number) => this.mixed(B64, n);
  urlsafe = (n: number) => this.mixed(URLSAFE, n);
  letters = (n: number) => this.mixed(LETTERS, n);
  digits = (n: number) => this.from(DIGITS, n);
  uuid = () => `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

export interface Sample {
  /** The rule that should name it. */
  rule: string;
  /** The value that must never leave. */
  secret: string;
  /** Text holding it, as it appears in a file or a message. */
  text: string;
  /** A credential store: a file holding it is local-only, whatever its name. */
  store?: boolean;
}

type Make = (r: Rand) => { secret: string; text?: string; store?: boolean };

/** A token on its own in a line of code. */
const bare = (make: (r: Rand) => string): Make => (r) => {
  const secret = make(r);
  return { secret, text: `const credential = client.use("${secret}");` };
};
/** A token assigned to a vendor's setting, in a .env line. */
const env = (name: string, make: (r: Rand) => string): Make => (r) => {
  const secret = make(r);
  return { secret, text: `${name}=${secret}` };
};

const pem = (label: string): Make => (r) => {
  const body = Array.from({ length: 8 }, () => r.b64(64)).join('\n');
  const secret = `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
  return { secret, text: `${secret}\n`, store: true };
};

export const FORMATS: Record<string, Make> = {
  'aws-access-key-id': bare((r) => `${r.pick(['AKIA', 'ASIA', 'AROA', 'AIDA'])}${r.upper(16)}`),
  'aws-secret-access-key': (r) => {
    const secret = r.b64(40);
    return { secret, text: `aws_secret_access_key: "${secret}"` };
  },
  'aws-credentials-file': (r) => {
    const secret = r.b64(40);
    return { secret, text: `[default]\naws_access_key_id = AKIA${r.upper(16)}\naws_secret_access_key = ${secret}\n`, store: true };
  },
  'aws-session-token': bare((r) => `${Buffer.from('!\n\torigin_ec', 'latin1').toString('base64')}${r.b64(200)}`),
  'aws-account-id': (r) => {
    const secret = r.digits(12);
    return { secret, text: `aws_account_id = "${secret}"` };
  },
  'aws-mws-key': bare((r) => `amzn.mws.${r.uuid()}`),
  'aws-bedrock-key': bare((r) => `ABSK${r.b64(132)}`),
  'gcp-api-key': bare((r) => `AIza${r.urlsafe(35)}`),
  'gcp-oauth-client-secret': bare((r) => `GOCSPX-${r.urlsafe(28)}`),
  'google-oauth-access-token': bare((r) => `ya29.${r.urlsafe(120)}`),
  'google-oauth-refresh-token': bare((r) => `1//0${r.urlsafe(98)}`),
  'gcp-service-account-key-id': (r) => {
    const secret = r.hex(40);
    return { secret, text: `{\n  "type": "service_account",\n  "project_id": "demo-${r.lower(6)}",\n  "private_key_id": "${secret}",\n  "client_email": "svc@demo.iam.gserviceaccount.com"\n}\n`, store: true };
  },
  'firebase-cloud-messaging-key': bare((r) => `AAAA${r.urlsafe(7)}:APA91b${r.urlsafe(134)}`),
  'azure-storage-account-key': (r) => {
    const secret = `${r.b64(86)}==`;
    return { secret, text: `DefaultEndpointsProtocol=https;AccountName=demo${r.lower(6)};AccountKey=${secret};EndpointSuffix=core.windows.net` };
  },
  'azure-shared-access-key': (r) => {
    const secret = `${r.b64(43)}=`;
    return { secret, text: `Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${secret}` };
  },
  'azure-ad-client-secret': bare((r) => `${r.alnum(3)}${r.digits(1)}Q~${r.urlsafe(31)}`),
  'azure-sas-token': (r) => {
    const secret = `${r.b64(43)}%3D`;
    return { secret, text: `https://demo.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig=${secret}` };
  },
  'azure-devops-pat': env('AZURE_DEVOPS_PAT', (r) => r.from('abcdefghijklmnopqrstuvwxyz234567', 52)),
  'azure-openai-key': env('AZURE_OPENAI_API_KEY', (r) => r.hex(32)),
  'alibaba-access-key-id': bare((r) => `LTAI${r.alnum(20)}`),
  'alibaba-access-key-secret': env('ALIBABA_CLOUD_ACCESS_KEY_SECRET', (r) => r.alnum(30)),
  'digitalocean-pat': bare((r) => `dop_v1_${r.hex(64)}`),
  'digitalocean-oauth-token': bare((r) => `doo_v1_${r.hex(64)}`),
  'digitalocean-refresh-token': bare((r) => `dor_v1_${r.hex(64)}`),
  'heroku-api-key': env('HEROKU_API_KEY', (r) => r.uuid()),
  'heroku-api-key-v2': bare((r) => `HRKU-AA${r.urlsafe(58)}`),
  'cloudflare-api-token': env('CLOUDFLARE_API_TOKEN', (r) => r.urlsafe(40)),
  'cloudflare-global-api-key': env('CLOUDFLARE_API_KEY', (r) => r.hex(37)),
  'cloudflare-origin-ca-key': bare((r) => `v1.0-${r.hex(24)}-${r.hex(146)}`),
  'fastly-api-token': env('FASTLY_API_TOKEN', (r) => r.urlsafe(32)),
  'linode-token': env('LINODE_TOKEN', (r) => r.hex(64)),
  'hetzner-cloud-token': env('HCLOUD_TOKEN', (r) => r.alnum(64)),
  'vultr-api-key': env('VULTR_API_KEY', (r) => r.upper(36)),
  'ibm-cloud-api-key': env('IBMCLOUD_API_KEY', (r) => r.urlsafe(44)),
  'scaleway-access-key': bare((r) => `SCW${r.upper(17)}`),
  'scaleway-secret-key': env('SCW_SECRET_KEY', (r) => r.uuid()),
  'tencent-secret-id': bare((r) => `AKID${r.alnum(32)}`),
  'yandex-api-key': bare((r) => `AQVN${r.urlsafe(36)}`),
  'yandex-iam-token': bare((r) => `t1.${r.urlsafe(40)}.${r.urlsafe(86)}`),
  'yandex-access-key': env('YANDEX_ACCESS_KEY', (r) => `YC${r.urlsafe(38)}`),
  'pulumi-token': bare((r) => `pul-${r.hex(40)}`),
  'terraform-cloud-token': bare((r) => `${r.alnum(14)}.atlasv1.${r.urlsafe(67)}`),
  'vault-service-token': bare((r) => `hvs.${r.urlsafe(95)}`),
  'vault-batch-token': bare((r) => `hvb.${r.urlsafe(150)}`),
  'vault-recovery-token': bare((r) => `hvr.${r.urlsafe(95)}`),
  'vault-legacy-token': env('VAULT_TOKEN', (r) => `s.${r.alnum(24)}`),
  'doppler-token': bare((r) => `dp.pt.${r.alnum(43)}`),
  'flyio-token': bare((r) => `fo1_${r.urlsafe(43)}`),
  'flyio-macaroon': bare((r) => `fm2_${r.b64(180)}`),
  'netlify-token': env('NETLIFY_AUTH_TOKEN', (r) => r.urlsafe(43)),
  'vercel-token': bare((r) => `vcp_${r.alnum(40)}`),
  'vercel-legacy-token': env('VERCEL_TOKEN', (r) => r.alnum(24)),
  'render-api-key': bare((r) => `rnd_${r.alnum(32)}`),
  'supabase-pat': bare((r) => `sbp_${r.hex(40)}`),
  'supabase-secret-key': bare((r) => `sb_secret_${r.urlsafe(40)}`),
  'planetscale-token': bare((r) => `pscale_tkn_${r.urlsafe(43)}`),
  'planetscale-password': bare((r) => `pscale_pw_${r.urlsafe(43)}`),
  'planetscale-oauth': bare((r) => `pscale_oauth_${r.urlsafe(43)}`),
  'neon-api-key': bare((r) => `napi_${r.lower(64)}`),
  'databricks-token': bare((r) => `dapi${r.hex(32)}`),
  'algolia-api-key': env('ALGOLIA_ADMIN_KEY', (r) => r.hex(32)),
  'okta-api-token': env('OKTA_API_TOKEN', (r) => `00${r.urlsafe(40)}`),
  'auth0-client-secret': env('AUTH0_CLIENT_SECRET', (r) => r.urlsafe(64)),
  'github-pat': bare((r) => `ghp_${r.alnum(36)}`),
  'github-oauth-token': bare((r) => `gho_${r.alnum(36)}`),
  'github-user-token': bare((r) => `ghu_${r.alnum(36)}`),
  'github-server-token': bare((r) => `ghs_${r.alnum(36)}`),
  'github-refresh-token': bare((r) => `ghr_${r.alnum(76)}`),
  'github-fine-grained-pat': bare((r) => `github_pat_${r.alnum(22)}_${r.alnum(59)}`),
  'github-app-installation-token': bare((r) => `ghs_${r.digits(8)}_${r.urlsafe(30)}.${r.urlsafe(120)}.${r.urlsafe(43)}`),
  'github-oauth-url': (r) => {
    const secret = r.hex(40);
    return { secret, text: `git clone https://${secret}:x-oauth-basic@github.com/acme/private.git` };
  },
  'gitlab-pat': bare((r) => `glpat-${r.urlsafe(20)}`),
  'gitlab-deploy-token': bare((r) => `gldt-${r.urlsafe(20)}`),
  'gitlab-runner-token': bare((r) => `glrt-${r.urlsafe(20)}`),
  'gitlab-runner-registration-token': bare((r) => `GR1348941${r.urlsafe(20)}`),
  'gitlab-pipeline-trigger-token': bare((r) => `glptt-${r.hex(40)}`),
  'gitlab-oauth-secret': bare((r) => `gloas-${r.urlsafe(64)}`),
  'gitlab-cicd-job-token': bare((r) => `glcbt-${r.alnum(2)}_${r.urlsafe(20)}`),
  'gitlab-feed-token': bare((r) => `glft-${r.urlsafe(20)}`),
  'gitlab-incoming-mail-token': bare((r) => `glimt-${r.urlsafe(25)}`),
  'gitlab-agent-token': bare((r) => `glagent-${r.urlsafe(50)}`),
  'gitlab-feature-flag-token': bare((r) => `glffct-${r.urlsafe(20)}`),
  'gitlab-scim-token': bare((r) => `glsoat-${r.urlsafe(20)}`),
  'bitbucket-app-password': bare((r) => `ATBB${r.alnum(32)}`),
  'bitbucket-client-secret': env('BITBUCKET_CLIENT_SECRET', (r) => r.urlsafe(48)),
  'atlassian-api-token': bare((r) => `ATATT3${r.urlsafe(186)}`),
  'atlassian-legacy-token': env('JIRA_API_TOKEN', (r) => r.alnum(24)),
  'circleci-pat': bare((r) => `CCIPAT_${r.alnum(22)}_${r.hex(40)}`),
  'circleci-token': env('CIRCLECI_TOKEN', (r) => r.hex(40)),
  'travis-token': env('TRAVIS_API_TOKEN', (r) => r.urlsafe(22)),
  'buildkite-token': bare((r) => `bkua_${r.hex(40)}`),
  'drone-token': env('DRONE_TOKEN', (r) => r.alnum(32)),
  'jenkins-api-token': env('JENKINS_API_TOKEN', (r) => r.hex(34)),
  'sonarqube-token': bare((r) => `squ_${r.hex(40)}`),
  'snyk-token': env('SNYK_TOKEN', (r) => r.uuid()),
  'codecov-token': env('CODECOV_TOKEN', (r) => r.uuid()),
  'octopus-deploy-api-key': bare((r) => `API-${r.upper(26)}`),
  'harness-pat': bare((r) => `pat.${r.urlsafe(22)}.${r.alnum(24)}.${r.alnum(20)}`),
  'npm-access-token': bare((r) => `npm_${r.alnum(36)}`),
  'npmrc-auth': (r) => {
    const secret = r.urlsafe(40);
    return { secret, text: `registry=https://registry.npmjs.org/\n//npm.acme.dev/:_authToken=${secret}\n`, store: true };
  },
  'pypi-token': bare((r) => `pypi-${Buffer.from('\x02\x01\x08pypi.org', 'latin1').toString('base64')}${r.urlsafe(70)}`),
  'pypirc-password': (r) => {
    const secret = `${r.alnum(12)}!${r.alnum(4)}`;
    return { secret, text: `[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = acme\npassword = ${secret}\n`, store: true };
  },
  'rubygems-api-key': bare((r) => `rubygems_${r.hex(48)}`),
  'nuget-api-key': bare((r) => `oy2${r.lower(43)}`),
  'clojars-token': bare((r) => `CLOJARS_${r.lower(60)}`),
  'crates-io-token': env('CARGO_REGISTRY_TOKEN', (r) => `cio${r.alnum(32)}`),
  'packagist-token': bare((r) => `packagist_out_${r.hex(68)}`),
  'docker-pat': bare((r) => `dckr_pat_${r.urlsafe(27)}`),
  'docker-org-token': bare((r) => `dckr_oat_${r.urlsafe(32)}`),
  'docker-config-auth': (r) => {
    const secret = Buffer.from(`acme:${r.alnum(16)}`).toString('base64');
    return { secret, text: `{\n  "auths": {\n    "registry.acme.dev": {\n      "auth": "${secret}"\n    }\n  }\n}\n`, store: true };
  },
  'jfrog-api-key': bare((r) => `AKCp${r.alnum(69)}`),
  'jfrog-reference-token': bare((r) => `${Buffer.from('reftkn:01:1').toString('base64').replace(/=+$/, '')}${r.alnum(49)}`),
  'postman-api-key': bare((r) => `PMAK-${r.hex(24)}-${r.hex(34)}`),
  'sentry-org-token': bare((r) => `sntrys_eyJ${r.b64(120)}`),
  'sentry-user-token': bare((r) => `sntryu_${r.hex(64)}`),
  'datadog-api-key': env('DATADOG_API_KEY', (r) => r.hex(32)),
  'datadog-app-key': env('DD_APP_KEY', (r) => r.hex(40)),
  'newrelic-user-key': bare((r) => `NRAK-${r.upper(27)}`),
  'newrelic-browser-key': bare((r) => `NRJS-${r.hex(19)}`),
  'newrelic-insert-key': bare((r) => `NRII-${r.urlsafe(32)}`),
  'grafana-cloud-token': bare((r) => `glc_${r.b64(120)}`),
  'grafana-service-account-token': bare((r) => `glsa_${r.alnum(32)}_${r.hex(8)}`),
  'grafana-api-key': bare((r) => `eyJrIjoi${r.b64(100)}`),
  'dynatrace-token': bare((r) => `dt0c01.${r.upper(24)}.${r.upper(64)}`),
  'honeycomb-api-key': env('HONEYCOMB_API_KEY', (r) => r.alnum(22)),
  'launchdarkly-key': env('LAUNCHDARKLY_SDK_KEY', (r) => `sdk-${r.uuid()}`),
  'prefect-api-key': bare((r) => `pnu_${r.alnum(36)}`),
  'readme-api-key': bare((r) => `rdme_${r.lower(70)}`),
  'age-secret-key': bare((r) => `AGE-SECRET-KEY-1${r.from(UPPER.replace(/[1BIO]/g, ''), 58)}`),
  'infracost-api-key': bare((r) => `ico-${r.alnum(32)}`),
  'onepassword-service-account-token': bare((r) => `ops_eyJ${r.b64(300)}`),
  'onepassword-secret-key': bare((r) => `A3-${r.upper(6)}-${r.upper(11)}-${r.upper(5)}-${r.upper(5)}-${r.upper(5)}`),
  'linear-api-key': bare((r) => `lin_api_${r.alnum(40)}`),
  'notion-integration-token': bare((r) => `ntn_${r.digits(11)}${r.alnum(35)}`),
  'notion-legacy-token': bare((r) => `secret_${r.alnum(43)}`),
  'airtable-api-key': env('AIRTABLE_TOKEN', (r) => `pat${r.alnum(14)}.${r.hex(64)}`),
  'figma-pat': bare((r) => `figd_${r.urlsafe(40)}`),
  'contentful-pat': bare((r) => `CFPAT-${r.urlsafe(43)}`),
  'asana-pat': env('ASANA_ACCESS_TOKEN', (r) => `2/${r.digits(16)}/${r.digits(16)}:${r.alnum(32)}`),
  'hubspot-pat': bare((r) => `pat-na1-${r.uuid()}`),
  'typeform-pat': bare((r) => `tfp_${r.urlsafe(59)}`),
  'dropbox-short-lived-token': bare((r) => `sl.${r.urlsafe(138)}`),
  'mapbox-secret-token': bare((r) => `sk.eyJ${r.urlsafe(60)}.${r.urlsafe(22)}`),
  'zendesk-api-token': env('ZENDESK_API_TOKEN', (r) => r.alnum(40)),
  'intercom-access-token': env('INTERCOM_ACCESS_TOKEN', (r) => `${r.urlsafe(59)}=`),
  'adafruit-io-key': env('ADAFRUIT_IO_KEY', (r) => r.lower(32)),
  'stripe-secret-key': bare((r) => `sk_live_${r.alnum(99)}`),
  'stripe-test-secret-key': bare((r) => `sk_test_${r.alnum(99)}`),
  'stripe-restricted-key': bare((r) => `rk_live_${r.alnum(99)}`),
  'stripe-webhook-secret': bare((r) => `whsec_${r.alnum(32)}`),
  'square-access-token': bare((r) => `sq0atp-${r.urlsafe(22)}`),
  'square-oauth-secret': bare((r) => `sq0csp-${r.urlsafe(43)}`),
  'square-access-token-v2': bare((r) => `EAAA${r.urlsafe(60)}`),
  'braintree-access-token': bare((r) => `access_token$production$${r.lower(16)}$${r.hex(32)}`),
  'adyen-api-key': env('ADYEN_API_KEY', (r) => `AQE${r.urlsafe(90)}`),
  'flutterwave-secret-key': bare((r) => `FLWSECK-${r.from('abcdefgh0123456789', 32)}-X`),
  'razorpay-key': bare((r) => `rzp_live_${r.alnum(14)}`),
  'plaid-access-token': bare((r) => `access-production-${r.uuid()}`),
  'gocardless-token': env('GOCARDLESS_ACCESS_TOKEN', (r) => `live_${r.urlsafe(40)}`),
  'paddle-api-key': bare((r) => `pdl_live_apikey_${r.lower(26)}_${r.alnum(22)}_${r.alnum(3)}`),
  'coinbase-api-secret': env('COINBASE_API_SECRET', (r) => r.urlsafe(64)),
  'shopify-access-token': bare((r) => `shpat_${r.hex(32)}`),
  'shopify-custom-app-token': bare((r) => `shpca_${r.hex(32)}`),
  'shopify-private-app-token': bare((r) => `shppa_${r.hex(32)}`),
  'shopify-shared-secret': bare((r) => `shpss_${r.hex(32)}`),
  'shippo-api-token': bare((r) => `shippo_live_${r.hex(40)}`),
  'easypost-api-key': bare((r) => `EZAK${r.lower(54)}`),
  'duffel-api-token': bare((r) => `duffel_live_${r.urlsafe(43)}`),
  'frameio-api-token': bare((r) => `fio-u-${r.urlsafe(64)}`),
  'lob-api-key': env('LOB_API_KEY', (r) => `live_${r.hex(35)}`),
  'slack-bot-token': bare((r) => `xoxb-${r.digits(12)}-${r.digits(13)}-${r.alnum(24)}`),
  'slack-user-token': bare((r) => `xoxp-${r.digits(12)}-${r.digits(12)}-${r.digits(13)}-${r.hex(32)}`),
  'slack-app-token': bare((r) => `xapp-1-A${r.upper(10)}-${r.digits(13)}-${r.hex(64)}`),
  'slack-legacy-token': bare((r) => `xoxs-${r.digits(12)}-${r.digits(12)}-${r.alnum(24)}`),
  'slack-config-token': bare((r) => `xoxe.xoxp-1-${r.upper(164)}`),
  'slack-webhook': (r) => {
    const secret = `T${r.upper(10)}/B${r.upper(10)}/${r.alnum(24)}`;
    return { secret, text: `SLACK_WEBHOOK_URL=https://hooks.slack.com/services/${secret}` };
  },
  'slack-workflow-webhook': (r) => {
    const secret = `T${r.upper(10)}/A${r.upper(10)}/${r.digits(18)}/${r.alnum(32)}`;
    return { secret, text: `url: https://hooks.slack.com/workflows/${secret}` };
  },
  'discord-webhook': (r) => {
    const secret = `${r.digits(18)}/${r.urlsafe(68)}`;
    return { secret, text: `const hook = "https://discord.com/api/webhooks/${secret}";` };
  },
  'discord-bot-token': env('DISCORD_BOT_TOKEN', (r) => `M${r.alnum(25)}.${r.urlsafe(6)}.${r.urlsafe(38)}`),
  'telegram-bot-token': bare((r) => `${r.digits(10)}:AA${r.urlsafe(33)}`),
  'twilio-api-key': bare((r) => `SK${r.hex(32)}`),
  'twilio-auth-token': env('TWILIO_AUTH_TOKEN', (r) => r.hex(32)),
  'sendgrid-api-key': bare((r) => `SG.${r.urlsafe(22)}.${r.urlsafe(43)}`),
  'mailgun-api-key': bare((r) => `key-${r.alnum(32)}`),
  'mailgun-signing-key': env('MAILGUN_WEBHOOK_SIGNING_KEY', (r) => `${r.hex(32)}-${r.hex(8)}-${r.hex(8)}`),
  'mailchimp-api-key': bare((r) => `${r.hex(32)}-us${r.pick(['6', '14', '21'])}`),
  'postmark-server-token': env('POSTMARK_SERVER_TOKEN', (r) => r.uuid()),
  'brevo-api-key': bare((r) => `xkeysib-${r.hex(64)}-${r.alnum(16)}`),
  'brevo-smtp-key': bare((r) => `xsmtpsib-${r.hex(64)}-${r.alnum(16)}`),
  'messagebird-api-key': env('MESSAGEBIRD_API_KEY', (r) => r.alnum(25)),
  'teams-webhook': (r) => {
    const secret = `${r.uuid()}@${r.uuid()}/IncomingWebhook/${r.hex(32)}/${r.uuid()}`;
    return { secret, text: `webhook = "https://acme.webhook.office.com/webhookb2/${secret}"` };
  },
  'google-chat-webhook': (r) => {
    const secret = r.urlsafe(43);
    return { secret, text: `https://chat.googleapis.com/v1/spaces/AAAA${r.alnum(7)}/messages?key=AIza${r.urlsafe(35)}&token=${secret}` };
  },
  'twitter-bearer-token': bare((r) => `AAAAAAAAAAAAAAAAAAAAA${r.alnum(80)}`),
  'twitter-api-secret': env('TWITTER_API_SECRET', (r) => r.alnum(50)),
  'facebook-access-token': bare((r) => `EAAC${r.alnum(160)}`),
  'facebook-app-secret': env('FACEBOOK_APP_SECRET', (r) => r.hex(32)),
  'linkedin-client-secret': env('LINKEDIN_CLIENT_SECRET', (r) => r.alnum(16)),
  'pusher-secret': env('PUSHER_APP_SECRET', (r) => r.hex(20)),
  'mattermost-token': env('MATTERMOST_ACCESS_TOKEN', (r) => r.lower(26)),
  'vonage-api-secret': env('VONAGE_API_SECRET', (r) => r.alnum(16)),
  'beamer-api-key': env('BEAMER_API_KEY', (r) => `b_${r.lower(44)}`),
  'openai-api-key': bare((r) => `sk-proj-${r.urlsafe(74)}T3BlbkFJ${r.urlsafe(74)}`),
  'openai-legacy-key': bare((r) => `sk-${r.alnum(20)}T3BlbkFJ${r.alnum(20)}`),
  'anthropic-api-key': bare((r) => `sk-ant-api03-${r.urlsafe(93)}AA`),
  'anthropic-admin-key': bare((r) => `sk-ant-admin01-${r.urlsafe(93)}AA`),
  'groq-api-key': bare((r) => `gsk_${r.alnum(52)}`),
  'huggingface-token': bare((r) => `hf_${r.letters(34)}`),
  'huggingface-org-token': bare((r) => `api_org_${r.letters(34)}`),
  'replicate-api-token': bare((r) => `r8_${r.alnum(37)}`),
  'perplexity-api-key': bare((r) => `pplx-${r.alnum(48)}`),
  'xai-api-key': bare((r) => `xai-${r.alnum(80)}`),
  'openrouter-api-key': bare((r) => `sk-or-v1-${r.hex(64)}`),
  'langsmith-api-key': bare((r) => `lsv2_pt_${r.hex(32)}_${r.hex(10)}`),
  'pinecone-api-key': bare((r) => `pcsk_${r.alnum(6)}_${r.alnum(64)}`),
  'cerebras-api-key': bare((r) => `csk-${r.lower(48)}`),
  'nvidia-api-key': bare((r) => `nvapi-${r.urlsafe(64)}`),
  'fireworks-api-key': bare((r) => `fw_${r.alnum(24)}`),
  'elevenlabs-api-key': bare((r) => `sk_${r.hex(48)}`),
  'anyscale-api-key': bare((r) => `esecret_${r.alnum(30)}`),
  'deepseek-api-key': env('DEEPSEEK_API_KEY', (r) => `sk-${r.hex(32)}`),
  'cohere-api-key': env('COHERE_API_KEY', (r) => r.alnum(40)),
  'mistral-api-key': env('MISTRAL_API_KEY', (r) => r.alnum(32)),
  'together-api-key': env('TOGETHER_API_KEY', (r) => r.hex(64)),
  'wandb-api-key': env('WANDB_API_KEY', (r) => r.hex(40)),
  'assemblyai-api-key': env('ASSEMBLYAI_API_KEY', (r) => r.hex(32)),
  'deepgram-api-key': env('DEEPGRAM_API_KEY', (r) => r.hex(40)),
  'voyage-api-key': env('VOYAGE_API_KEY', (r) => `pa-${r.urlsafe(43)}`),
  jwt: bare((r) => `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${r.urlsafe(60)}.${r.urlsafe(43)}`),
  'postgres-connection-string': (r) => {
    const secret = `${r.alnum(14)}!x`;
    return { secret, text: `DATABASE_URL="postgres://app:${secret}@db.internal:5432/prod"` };
  },
  'mysql-connection-string': (r) => {
    const secret = r.alnum(18);
    return { secret, text: `url: mysql://root2:${secret}@mysql.internal:3306/shop` };
  },
  'mongodb-connection-string': (r) => {
    const secret = r.alnum(20);
    return { secret, text: `MONGO_URI=mongodb+srv://svc:${secret}@cluster0.ab1cd.mongodb.net/app` };
  },
  'redis-connection-string': (r) => {
    const secret = r.alnum(24);
    return { secret, text: `const redis = new Redis("rediss://:${secret}@cache.internal:6380");` };
  },
  'amqp-connection-string': (r) => {
    const secret = r.alnum(16);
    return { secret, text: `BROKER=amqps://worker:${secret}@mq.internal/vhost` };
  },
  'ldap-connection-string': (r) => {
    const secret = r.alnum(16);
    return { secret, text: `ldap_url = ldaps://binduser:${secret}@ldap.internal:636` };
  },
  'smtp-connection-string': (r) => {
    const secret = r.alnum(16);
    return { secret, text: `EMAIL_URL=smtps://mailer:${secret}@smtp.acme.dev:465` };
  },
  'url-basic-auth': (r) => {
    const secret = r.alnum(20);
    return { secret, text: `curl https://deploy:${secret}@artifacts.acme.dev/releases/latest` };
  },
  'jdbc-password': (r) => {
    const secret = `${r.alnum(12)}#1`;
    return { secret, text: `spring.datasource.url=jdbc:sqlserver://db.internal:1433;databaseName=prod;user=app;password=${secret};` };
  },
  'connection-string-password': (r) => {
    const secret = `${r.alnum(12)}$9`;
    return { secret, text: `"Server=tcp:db.internal,1433;Initial Catalog=prod;User ID=app;Password=${secret};Encrypt=True;"` };
  },
  'http-bearer-token': (r) => {
    const secret = r.urlsafe(48);
    return { secret, text: `curl -H "Authorization: Bearer ${secret}" https://api.acme.dev/v1/things` };
  },
  'http-basic-auth': (r) => {
    const secret = Buffer.from(`deploy:${r.alnum(18)}`).toString('base64');
    return { secret, text: `Authorization: Basic ${secret}` };
  },
  'http-api-key-header': (r) => {
    const secret = r.alnum(40);
    return { secret, text: `headers: { "X-Api-Key": "${secret}" }` };
  },
  'curl-user-password': (r) => {
    const secret = `${r.alnum(14)}!`;
    return { secret, text: `curl -s -u admin:${secret} https://jenkins.acme.dev/api/json` };
  },
  'mysql-password-flag': (r) => {
    const secret = r.alnum(16);
    return { secret, text: `mysql -h db.internal -u root -p${secret} shop < dump.sql` };
  },
  'netrc-password': (r) => {
    const secret = r.alnum(24);
    return { secret, text: `machine api.acme.dev\n  login deploy\n  password ${secret}\n`, store: true };
  },
  'kubeconfig-client-key': (r) => {
    const secret = r.b64(400);
    return {
      secret,
      text: `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-certificate-data: ${r.b64(80)}\n    client-key-data: ${secret}\n`,
      store: true,
    };
  },
  'kubeconfig-user-token': (r) => {
    const secret = r.urlsafe(48);
    return { secret, text: `apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: ${secret}\ncurrent-context: prod\n`, store: true };
  },
  'git-credentials': (r) => {
    const secret = r.alnum(40);
    return { secret, text: `https://ci-bot:${secret}@git.acme.dev\n`, store: true };
  },
  'htpasswd-hash': (r) => {
    const secret = `$apr1$${r.alnum(8)}$${r.from(`${ALNUM}./`, 22)}`;
    return { secret, text: `admin:${secret}\n`, store: true };
  },
  'private-key': pem('PRIVATE KEY'),
  'rsa-private-key': pem('RSA PRIVATE KEY'),
  'ec-private-key': pem('EC PRIVATE KEY'),
  'dsa-private-key': pem('DSA PRIVATE KEY'),
  'openssh-private-key': pem('OPENSSH PRIVATE KEY'),
  'pgp-private-key': pem('PGP PRIVATE KEY BLOCK'),
  'encrypted-private-key': pem('ENCRYPTED PRIVATE KEY'),
  'ssh2-private-key': pem('SSH2 ENCRYPTED PRIVATE KEY'),
  'putty-private-key': (r) => {
    const secret = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n${r.b64(64)}\n${r.b64(20)}\nPrivate-Lines: 1\n${r.b64(44)}\nPrivate-MAC: ${r.hex(64)}`;
    return { secret, text: `${secret}\n`, store: true };
  },
  'password-assignment': (r) => {
    const secret = `${r.alnum(8)}!#${r.alnum(3)}`;
    return { secret, text: `db:\n  host: db.internal\n  password: "${secret}"\n` };
  },
  'secret-assignment': (r) => {
    const secret = `${r.alnum(10)}.${r.alnum(12)}`;
    return { secret, text: `const clientSecret = '${secret}';` };
  },
  'high-entropy': (r) => {
    const secret = r.alnum(40);
    return { secret, text: `my new key is ${secret} — keep it safe` };
  },
};

/** One sample of every format (seeded: the same seed gives the same corpus). */
export function samples(seed = 1): Sample[] {
  const r = new Rand(seed);
  return Object.entries(FORMATS).map(([rule, make]) => {
    const s = make(r);
    return { rule, secret: s.secret, text: s.text ?? s.secret, ...(s.store ? { store: true } : {}) };
  });
}

/** Fragments of a secret long enough that seeing one in what left would mean a leak. */
export function fragments(secret: string, size = 12): string[] {
  const random = secret.replace(/^-----BEGIN[^\n]*\n|-----END[^\n]*$/g, '');
  const out: string[] = [];
  for (let i = 0; i + size <= random.length; i += size) out.push(random.slice(i, i + size));
  return out.length ? out : [secret];
}
