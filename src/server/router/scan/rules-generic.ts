// Formats that are not one vendor's: JWTs, passwords in URLs and connection strings (secretlint's basicauth and
// database-connection-string rules, for every scheme), HTTP auth headers, and credential files (.netrc,
// kubeconfig, git-credentials, htpasswd). Private key blocks are structural and found in pem.ts.
import { readable } from './entropy.js';
import { isPlaceholder, type Rule } from './rule.js';

/** A password in a URL or a connection string that is a real value, not `password`, `${PASS}` or `****`. */
function realPassword(value: string): boolean {
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // Not URL-encoded: keep it as it is.
  }
  return !isPlaceholder(decoded) && !/^(?:pass|passw(?:or)?d|pwd|root|admin|user|guest|postgres|mysql|redis|test)\d{0,3}$/i.test(decoded);
}

function uri(id: string, title: string, schemes: string[], scheme: string): Rule {
  return {
    id,
    title,
    keywords: schemes.map((s) => `${s}://`),
    // scheme://user:password@host — the password is the secret.
    pattern: new RegExp(`(?<![A-Za-z0-9+.-])(?:${scheme}):\\/\\/[^\\s:@/'"\`]{0,100}:([^\\s@/'"\`]{3,200})@[A-Za-z0-9_.%-]+`, 'i'),
    group: 1,
    valid: realPassword,
  };
}

function decodesToCredentials(value: string): boolean {
  const text = Buffer.from(value, 'base64').toString('latin1');
  return /^[\x20-\x7e]{1,200}:[\x20-\x7e]{3,}$/.test(text) && realPassword(text.slice(text.indexOf(':') + 1));
}

export const GENERIC_RULES: Rule[] = [
  {
    id: 'jwt',
    title: 'JSON Web Token',
    keywords: ['eyJ'],
    caseSensitive: true,
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?![A-Za-z0-9_-])/,
  },
  uri('postgres-connection-string', 'PostgreSQL connection string with a password', ['postgres', 'postgresql'], 'postgres(?:ql)?'),
  uri('mysql-connection-string', 'MySQL connection string with a password', ['mysql', 'mysqlx', 'mariadb'], '(?:jdbc:)?(?:mysqlx?|mariadb)'),
  uri('mongodb-connection-string', 'MongoDB connection string with a password', ['mongodb', 'mongodb+srv'], 'mongodb(?:\\+srv)?'),
  uri('redis-connection-string', 'Redis connection string with a password', ['redis', 'rediss'], 'rediss?'),
  uri('amqp-connection-string', 'AMQP (RabbitMQ) connection string with a password', ['amqp', 'amqps'], 'amqps?'),
  uri('ldap-connection-string', 'LDAP URL with a password', ['ldap', 'ldaps'], 'ldaps?'),
  uri('smtp-connection-string', 'SMTP URL with a password', ['smtp', 'smtps'], 'smtps?'),
  uri('url-basic-auth', 'Password in a URL (basic auth, any scheme)', [''], '[a-z][a-z0-9+.-]{1,20}'),
  {
    id: 'jdbc-password',
    title: 'JDBC URL with a password parameter',
    keywords: ['jdbc:'],
    pattern: /jdbc:[a-z0-9]+:[^\s"']*?[;?&]password=([^;&\s"']{3,})/i,
    group: 1,
    valid: realPassword,
  },
  {
    id: 'connection-string-password',
    title: 'Password in a connection string (ADO.NET, ODBC)',
    keywords: ['password=', 'pwd=', 'password =', 'pwd ='],
    // key=value; pairs, one of them naming the server or user, then the password.
    pattern: /(?:server|data source|host|hostname|address|user id|user|uid|username|database|initial catalog|driver|dsn)\s?=[^;\n]*;[^\n]*?\b(?:password|pwd)\s?=\s?([^;"'\s][^;"'\n]{2,}?)\s*(?:;|["']|$)/im,
    group: 1,
    valid: realPassword,
  },
  {
    id: 'http-bearer-token',
    title: 'Bearer token in an Authorization header',
    keywords: ['bearer '],
    pattern: /\bBearer\s+([A-Za-z0-9._~+/=-]{16,})/i,
    group: 1,
    minEntropy: 3,
    valid: (v) => !readable(v),
  },
  {
    id: 'http-basic-auth',
    title: 'Basic credentials in an Authorization header',
    keywords: ['basic '],
    pattern: /\bBasic\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/i,
    group: 1,
    valid: decodesToCredentials,
  },
  {
    id: 'http-api-key-header',
    title: 'API key in an HTTP header (X-Api-Key, Private-Token, …)',
    keywords: ['api-key', 'auth-token', 'access-token', 'private-token', 'vault-token', 'subscription-key'],
    pattern: /\b(?:X-Api-Key|Api-Key|X-Auth-Token|X-Access-Token|Private-Token|X-Vault-Token|X-Goog-Api-Key|Ocp-Apim-Subscription-Key)["']?\s*[:=]\s*["']?([A-Za-z0-9._~+/=-]{12,})/i,
    group: 1,
    minEntropy: 3,
    valid: (v) => !readable(v),
  },
  {
    id: 'curl-user-password',
    title: 'Password on a curl command line (-u user:password)',
    keywords: ['curl'],
    pattern: /\bcurl\b[^\n]*?\s(?:-u|--user)\s*['"]?[^\s:'"]+:([^\s'"@]{4,})/,
    group: 1,
    valid: realPassword,
  },
  {
    id: 'mysql-password-flag',
    title: 'Password on a mysql command line (-pPASSWORD)',
    keywords: ['mysql'],
    pattern: /\bmysql(?:dump|admin)?\b[^\n]*?\s-p['"]?([^\s'"-][^\s'"]{3,})/,
    group: 1,
    valid: realPassword,
  },
  {
    id: 'netrc-password',
    title: 'Password in a .netrc file',
    keywords: ['machine'],
    pattern: /\bmachine\s+\S+(?:\s+login\s+\S+)?\s+password\s+(\S+)/,
    group: 1,
    lines: 3,
    store: 'a .netrc file',
    valid: realPassword,
  },
  {
    id: 'kubeconfig-client-key',
    title: 'Client key in a kubeconfig',
    keywords: ['client-key-data'],
    pattern: /client-key-data:\s*["']?([A-Za-z0-9+/=]{20,})/,
    group: 1,
    store: 'a kubeconfig',
  },
  {
    id: 'kubeconfig-user-token',
    title: 'User token in a kubeconfig',
    keywords: ['users:'],
    pattern: /^users:\s*\n(?:[ \t-].*\n){0,12}?[ \t]+(?:token|password):\s*["']?([A-Za-z0-9._~+/=:-]{8,})/m,
    group: 1,
    lines: 14,
    store: 'a kubeconfig',
    valid: (v) => !isPlaceholder(v),
  },
  {
    id: 'git-credentials',
    title: 'git-credentials entry',
    keywords: ['https://', 'http://'],
    pattern: /^[ \t]*https?:\/\/[^\s:@/]+:([^\s@/]+)@[^\s/]+\/?[ \t]*$/m,
    group: 1,
    store: 'a git-credentials file',
    valid: realPassword,
  },
  {
    id: 'htpasswd-hash',
    title: 'Password hash in an htpasswd file',
    keywords: ['$apr1$', '$2y$', '$2a$', '$2b$', '{SHA}'],
    pattern: /^[\w.@-]+:(\$apr1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}|\$2[aby]\$\d{2}\$[./0-9A-Za-z]{53}|\{SHA\}[A-Za-z0-9+/=]{28})[ \t]*$/m,
    group: 1,
    store: 'an htpasswd file',
  },
];
