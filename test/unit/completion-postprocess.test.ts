import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayText, dropDuplicateClosers, postProcess, stopAtDedent, stopAtFollowingLines, type PostContext } from '../../src/server/completion/postprocess.js';

const base: PostContext = { lineBefore: '', lineAfter: '', followingLines: [], eol: '\n', mode: 'multi' };

void describe('post-processing', () => {
  void it('does not duplicate a closing bracket already after the cursor', () => {
    const ctx = { ...base, lineBefore: 'foo(', lineAfter: ')', mode: 'single' as const };
    assert.equal(postProcess('a, b)', ctx), 'a, b');
    assert.equal(postProcess('a, b));', { ...ctx, lineAfter: '));' }), 'a, b');
  });

  void it('does not duplicate a closing quote', () => {
    const ctx = { ...base, lineBefore: "const s = '", lineAfter: "';", mode: 'single' as const };
    assert.equal(postProcess("hello';", ctx), 'hello');
  });

  void it('keeps closers the text after the cursor does not have', () => {
    assert.equal(dropDuplicateClosers('call(x)', ']'), 'call(x)');
  });

  void it('stops where a single-line completion repeats the rest of the line', () => {
    const ctx = { ...base, lineBefore: 'const total = ', lineAfter: 'price * count;', mode: 'single' as const };
    assert.equal(postProcess('tax + price * count;', ctx), 'tax + ');
  });

  void it('keeps only the current line when text follows the cursor', () => {
    const ctx = { ...base, lineBefore: 'x = ', lineAfter: ' + 1', mode: 'single' as const };
    assert.equal(postProcess('a\nb\nc', ctx), 'a');
  });

  void it('stops a multi-line completion at the line that already follows (no repeated closing brace)', () => {
    const ctx = { ...base, lineBefore: '  ', followingLines: ['}', '', 'export {}'] };
    assert.equal(postProcess('return a + b;\n}\n', ctx), 'return a + b;');
  });

  void it('stopAtFollowingLines leaves completions that do not repeat anything', () => {
    assert.deepEqual(stopAtFollowingLines(['a', 'b'], ['c'], ''), ['a', 'b']);
  });

  void it('stays inside the block being written', () => {
    const ctx = { ...base, lineBefore: '    ' };
    assert.equal(postProcess('a();\n    b();\n  }\n  next();', ctx), 'a();\n    b();\n  }');
    assert.equal(postProcess('a();\nfunction other() {', ctx), 'a();');
    assert.deepEqual(stopAtDedent(['x', '  y'], ''), ['x', '  y']);
  });

  void it('removes indentation the cursor already has', () => {
    const ctx = { ...base, lineBefore: '    ' };
    assert.equal(postProcess('    return 1;', ctx), 'return 1;');
  });

  void it('keeps relative indentation of later lines and trims trailing whitespace', () => {
    assert.equal(postProcess('if (x) {  \n    y();\n  }\n\n', { ...base, lineBefore: '  ' }), 'if (x) {\n    y();\n  }');
  });

  void it('normalises CRLF from the model and writes CRLF back for CRLF documents', () => {
    const full = postProcess('a();\r\nb();\r\n', base);
    assert.equal(full, 'a();\nb();');
    assert.equal(displayText(full, 'multi', '\r\n'), 'a();\r\nb();');
    assert.equal(displayText(full, 'multi', '\n'), 'a();\nb();');
  });

  void it('shows only the first line in single-line mode, or the next line when the rest starts with a break', () => {
    assert.equal(displayText('one\ntwo', 'single', '\n'), 'one');
    assert.equal(displayText('\n  two\nthree', 'single', '\n'), '\n  two');
  });

  void it('returns nothing for whitespace-only output', () => {
    assert.equal(postProcess('   \n\n', base), '');
    assert.equal(postProcess('  ', { ...base, lineAfter: 'x', mode: 'single' }), '');
  });
});
