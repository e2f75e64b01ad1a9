// Links in answers: plain documentation opens at once; anything that could carry data out (a query, a long
// or encoded path, credentials, another port, plain http, an unknown site, text that names another site, mail)
// waits for the user to see the full URL; other schemes never open.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linkDecision } from '../../src/views/link-policy';

const why = (href: string, text = 'docs'): string => {
  const d = linkDecision(href, text);
  return d.action === 'confirm' ? d.why.join(' ') : d.action;
};

void describe('link policy', () => {
  void it('opens plain documentation links without asking', () => {
    for (const href of ['https://developer.mozilla.org/en-US/docs/Web/API/fetch', 'https://docs.python.org/3/library/os.path.html#os.path.join', 'https://nodejs.org/api/fs.html'])
      assert.deepEqual(linkDecision(href, 'the docs'), { action: 'open', url: href });
    assert.equal(linkDecision('https://docs.python.org/3/', 'docs.python.org').action, 'open');
  });

  void it('asks before a link that carries data, names another site or is not known documentation, saying why', () => {
    assert.match(why('https://developer.mozilla.org/en-US/search?q=const%20apiKey%3D%22sk-123%22'), /query string: \?q=const/);
    assert.match(why(`https://docs.python.org/3/${'QWxhZGRpbjpvcGVuIHNlc2FtZQ'.repeat(4)}`), /path is long or encoded/);
    assert.match(why('https://docs.python.org/3/a%20b%0Ac'), /path is long or encoded/);
    assert.match(why('https://docs.python.org@evil.example/x'), /user name before the host, so it goes to evil\.example/);
    assert.match(why('https://docs.python.org:8443/3/'), /port 8443/);
    assert.match(why('http://docs.python.org/3/'), /not encrypted/);
    assert.match(why('https://evil.example/collect'), /evil\.example is not a documentation site/);
    assert.match(why('https://sub.docs.python.org/3/'), /not a documentation site/);
    assert.match(why('https://evil.example/docs', 'https://docs.python.org/3/'), /Its text shows docs\.python\.org, but it goes to evil\.example/);
    assert.match(why('http://127.0.0.1:9/exfil?code=abc'), /query string.*not encrypted.*port 9.*127\.0\.0\.1 is not a documentation site/);
    assert.match(why('mailto:someone@evil.example?subject=code&body=secret'), /email to someone@evil\.example.*fills in the mail/);
    const d = linkDecision('https://evil.example/a?b=c#d', 'x');
    assert.equal(d.action === 'confirm' && d.url, 'https://evil.example/a?b=c#d');
  });

  void it('never opens other schemes, whatever their spelling', () => {
    for (const href of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'command:workbench.action.terminal.new', 'vscode://file/etc/passwd', 'not a url'])
      assert.equal(linkDecision(href, 'x').action, 'refuse', href);
    const d = linkDecision('vscode://file/etc/passwd', 'x');
    assert.match(d.action === 'refuse' ? d.reason : '', /does not open vscode: links/);
  });
});
