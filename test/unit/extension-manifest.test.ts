// Every command that user-facing text names exists, under that name: each "Tandem: Title" quoted in a message,
// each `tandem.foo` id a message, link or command call uses, each settings filter a link opens. And the manifest
// follows the house conventions users notice (section titles, command links, the chat's keybinding and title bar,
// a context-menu entry that says it is Tandem's).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..', '..');

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { title: string; properties: Record<string, { markdownDescription?: string; description?: string }> }[];
    menus: Record<string, { command?: string; when?: string; group?: string }[]>;
    keybindings: { command: string; key: string }[];
    walkthroughs: { steps: { description: string }[] }[];
  };
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const commands = manifest.contributes.commands;
const titleOf = new Map(commands.map((c) => [c.command, c.category ? `${c.category}: ${c.title}` : c.title]));
const titles = new Set(titleOf.values());
const settingIds = manifest.contributes.configuration.flatMap((s) => Object.keys(s.properties));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

interface Literal {
  where: string;
  text: string;
  node: ts.Node;
}

/** Every string a user could read in a source file: string literals and the text parts of template literals. */
function literals(path: string): Literal[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Literal[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      out.push({ where: `${relative(ROOT, path)}:${line}`, text: node.text, node });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const productLiterals = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'webview'))].flatMap(literals);

/** Text from package.json and the walkthrough pages that users read. */
function manifestTexts(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const section of manifest.contributes.configuration) {
    for (const [id, p] of Object.entries(section.properties)) out.push({ where: `package.json ${id}`, text: `${p.markdownDescription ?? ''} ${p.description ?? ''}` });
  }
  for (const [i, step] of manifest.contributes.walkthroughs[0].steps.entries()) out.push({ where: `package.json walkthrough step ${i + 1}`, text: step.description });
  for (const name of readdirSync(join(ROOT, 'media', 'walkthrough'))) out.push({ where: `media/walkthrough/${name}`, text: readFileSync(join(ROOT, 'media', 'walkthrough', name), 'utf8') });
  return out;
}

/** "Tandem: …" names in a text that are quoted, bold or link text (how messages name a command to run). */
function quotedTitles(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/["“'*[]+(Tandem: [^"”'*\]\n]+?)["”'*\]]/g)) found.push(m[1] as string);
  return found;
}

/** "Tandem: X" inside a sentence, not quoted: a command named so that nobody can tell where its name ends. */
function unquotedTitles(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(^|.)Tandem: [A-Z]/g)) {
    const before = m[1] ?? '';
    // At the start of a message "Tandem: " says who speaks; quoted or bold it names a command (checked above).
    if (m.index === 0 || /["“'*[]/.test(before)) continue;
    found.push(text.slice(m.index, m.index + 40));
  }
  return found;
}

/** Names of constants passed to vscode.commands.registerCommand (internal commands such as an accept hook). */
function registeredConstants(): string[] {
  const names: string[] = [];
  for (const path of files(join(ROOT, 'src'))) {
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && /registerCommand$/.test(node.expression.getText()) && node.arguments[0] && ts.isIdentifier(node.arguments[0])) names.push(node.arguments[0].text);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return names;
}

void describe('command names in user-facing text', () => {
  void it('every quoted "Tandem: …" title in src/ and webview/ is a contributed command', () => {
    const missing = productLiterals.flatMap((l) => quotedTitles(l.text).filter((t) => !titles.has(t)).map((t) => `${l.where}: "${t}"`));
    assert.deepEqual(missing, [], `text names commands that do not exist (contributed: ${[...titles].join(', ')})`);
  });

  void it('no message names a command without quotes, mid-sentence', () => {
    const loose = productLiterals.flatMap((l) => unquotedTitles(l.text).map((t) => `${l.where}: …${t}…`));
    assert.deepEqual(loose, []);
  });

  void it('every tandem.* command id that code runs, links to or names is contributed', () => {
    const used: string[] = [];
    for (const l of productLiterals) {
      for (const m of l.text.matchAll(/command:(tandem\.[A-Za-z]+)/g)) used.push(`${l.where}: ${m[1]}`);
      if (!/^tandem\.[a-z][A-Za-z]*$/.test(l.text)) continue;
      const parent = l.node.parent;
      // Run (executeCommand), bound to an item (`command:`), declared in the command table (an `id` next to `run`), or
      // kept in a constant named *_COMMAND.
      const isCall = ts.isCallExpression(parent) && parent.arguments[0] === l.node && /executeCommand$/.test(parent.expression.getText());
      const isCommandProperty = ts.isPropertyAssignment(parent) && parent.name.getText() === 'command';
      const isTableId =
        ts.isPropertyAssignment(parent) && parent.name.getText() === 'id' && ts.isObjectLiteralExpression(parent.parent) && parent.parent.properties.some((p) => p.name?.getText() === 'run');
      const isConstant = ts.isVariableDeclaration(parent) && /COMMAND$/.test(parent.name.getText());
      if (isCall || isCommandProperty || isTableId || isConstant) used.push(`${l.where}: ${l.text}`);
    }
    assert.ok(used.length >= commands.length - 1, `only ${used.length} command ids found in the code: the check lost track of them`);
    // Internal commands (never in the palette, never named to the user) exist when the code registers them.
    const registered = new Set(registeredConstants().map((name) => productLiterals.find((l) => ts.isVariableDeclaration(l.node.parent) && l.node.parent.name.getText() === name)?.text));
    const missing = used.filter((u) => !titleOf.has(u.slice(u.lastIndexOf(' ') + 1)) && !registered.has(u.slice(u.lastIndexOf(' ') + 1)));
    assert.deepEqual(missing, []);
  });

  void it('package.json and the walkthrough name and link only commands and settings that exist, by their titles', () => {
    const problems: string[] = [];
    for (const { where, text } of manifestTexts()) {
      for (const t of quotedTitles(text)) if (!titles.has(t)) problems.push(`${where}: "${t}" is no command`);
      for (const m of text.matchAll(/\[([^\]]+)\]\(command:([\w.]+)(?:\?([^)]*))?\)/g)) {
        const [, label, id, args] = m as unknown as [string, string, string, string | undefined];
        if (id.startsWith('tandem.')) {
          if (!titleOf.has(id)) problems.push(`${where}: links to ${id}, which does not exist`);
          else if (label.startsWith('Tandem: ') && label !== titleOf.get(id)) problems.push(`${where}: "${label}" links to ${id}, titled "${titleOf.get(id)}"`);
        } else if (id === 'workbench.action.openSettings') {
          const filter = JSON.parse(decodeURIComponent(args ?? '""')) as string;
          if (!settingIds.some((s) => s === filter || s.startsWith(`${filter}.`))) problems.push(`${where}: opens settings "${filter}", which match no setting`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  void it('every settings filter the code opens matches a contributed setting', () => {
    const filters: string[] = [];
    for (const l of productLiterals) {
      const parent = l.node.parent;
      if (ts.isCallExpression(parent) && parent.arguments[1] === l.node && /executeCommand/.test(parent.expression.getText()) && parent.arguments[0]?.getText().includes('workbench.action.openSettings')) {
        filters.push(l.text);
      }
      if (ts.isVariableDeclaration(parent) && /_SETTINGS$/.test(parent.name.getText())) filters.push(l.text);
    }
    assert.ok(filters.length > 0, 'no settings filter found in the code: the check lost track of them');
    const missing = filters.filter((f) => !f.startsWith('@') && !settingIds.some((s) => s === f || s.startsWith(`${f}.`)));
    assert.deepEqual(missing, []);
  });
});

void describe('manifest conventions', () => {
  void it('settings sections are titled without repeating "Tandem" (VS Code shows the extension name above them)', () => {
    const titled = manifest.contributes.configuration.map((s) => s.title);
    assert.deepEqual(titled.filter((t) => /tandem/i.test(t)), []);
  });

  void it('setting descriptions name commands as command links, never as plain bold text', () => {
    const bold = manifestTexts().filter((t) => /\*\*Tandem: /.test(t.text)).map((t) => t.where);
    assert.deepEqual(bold, []);
    const linked = manifestTexts().filter((t) => t.where.startsWith('package.json tandem.') && /\]\(command:tandem\./.test(t.text));
    assert.ok(linked.length >= 3, 'setting descriptions link the commands they mention');
  });

  void it('the chat has a keybinding and "Clear Conversation" in its title bar; context-menu entries say they are Tandem\'s', () => {
    assert.ok(manifest.contributes.keybindings.some((k) => k.command === 'tandem.openChat'), 'no keybinding opens the chat');
    const title = manifest.contributes.menus['view/title'] ?? [];
    assert.ok(title.some((m) => m.command === 'tandem.clearConversation' && m.when === 'view == tandem.chat' && m.group?.startsWith('navigation')));
    const context = manifest.contributes.menus['editor/context'] ?? [];
    assert.ok(context.length > 0);
    for (const entry of context) {
      // A context menu shows a command's title without its category.
      const own = commands.find((c) => c.command === entry.command);
      assert.match(own?.title ?? '', /^Tandem: /, `${entry.command} shows as "${own?.title}" in the editor's context menu`);
    }
  });
});
