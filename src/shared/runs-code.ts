// Files whose contents make tools run code without anyone running them by hand: when the folder opens
// (VS Code tasks, ESLint's config), on install or build (package.json, Makefile, build.gradle), on commit
// (git hooks), in CI (workflows), or when a shell enters the folder (.envrc). A refactor edit to such a file
// is never pre-selected and says why. Matched on path segments, always case-insensitively: on a
// case-insensitive file system `.VSCode/Tasks.json` is the tasks file, and marking one file too many costs
// only a tick. Pure: no file system, no `vscode`.

interface Rule {
  /** A folder anywhere in the path. */
  dirs?: string[];
  /** A file name. */
  names?: string[];
  /** A file name pattern. */
  pattern?: RegExp;
  why: string;
}

const RULES: Rule[] = [
  { dirs: ['.vscode'], pattern: /\.code-workspace$/, why: 'VS Code runs the tasks, debug configurations, MCP servers and programs named in it (a task can run as soon as the folder opens)' },
  { dirs: ['.git'], names: ['.git'], why: 'Git runs the hooks and commands configured in .git (hooks, core.fsmonitor, aliases)' },
  { dirs: ['.husky', '.githooks'], names: ['.pre-commit-config.yaml', 'lefthook.yml', '.lefthook.yml', 'lefthook-local.yml'], why: 'Git hooks run on commit, push or checkout' },
  { dirs: ['.devcontainer'], names: ['.devcontainer.json'], why: 'dev containers run their commands when the container is built or opened' },
  { dirs: ['.idea'], why: 'JetBrains IDEs run its run configurations and startup tasks' },
  { dirs: ['.claude', '.continue', '.cursor'], why: 'coding assistants run the hooks, commands and MCP servers configured there' },
  { dirs: ['.github', '.circleci', '.buildkite'], names: ['.gitlab-ci.yml', 'azure-pipelines.yml', 'jenkinsfile', '.travis.yml', 'bitbucket-pipelines.yml', '.drone.yml'], why: 'CI runs it, with the repository’s secrets' },
  { names: ['package.json'], why: 'npm runs its scripts (install, build, test) and installs the dependencies it lists, which run their own install scripts' },
  { names: ['.npmrc', '.yarnrc', '.yarnrc.yml', '.pnpmfile.cjs', 'pnpm-workspace.yaml', 'bunfig.toml', 'deno.json', 'deno.jsonc', 'composer.json'], why: 'the package manager runs the scripts, hooks or programs it names' },
  { names: ['.envrc', '.env'], pattern: /^\.env\./, why: 'the shell or the tools load it: variables such as NODE_OPTIONS or PYTHONSTARTUP make programs run code' },
  {
    dirs: ['.mvn', '.cargo'],
    names: ['makefile', 'gnumakefile', 'cmakelists.txt', 'build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts', 'gradle-wrapper.properties', 'gradlew', 'gradlew.bat', 'pom.xml', 'build.sbt', 'build.rs', 'cargo.toml', 'setup.py', 'setup.cfg', 'pyproject.toml', 'conftest.py', 'noxfile.py', 'tox.ini', 'rakefile', 'gemfile', 'justfile', 'taskfile.yml', 'taskfile.yaml', 'build.zig', 'meson.build', 'sconstruct', 'dockerfile', 'flake.nix', 'shell.nix', 'directory.build.props', 'directory.build.targets'],
    pattern: /(\.mk|\.cmake|\.gemspec|\.dockerfile|\.csproj|\.fsproj|\.vbproj|\.props|\.targets|^docker-compose.*\.ya?ml|^compose.*\.ya?ml)$/,
    why: 'the build runs it as code',
  },
  {
    names: ['gulpfile.js', 'gruntfile.js'],
    pattern: /(\.config\.[cm]?[jt]s|^\.[\w-]+rc\.[cm]?[jt]s|^gulpfile\.[cm]?[jt]s|^gruntfile\.[cm]?[jt]s)$/,
    why: 'linters, test runners and bundlers load it as code (the ESLint extension runs its config as soon as a file is opened)',
  },
  { names: ['sitecustomize.py', 'usercustomize.py'], pattern: /\.pth$/, why: 'Python runs it at startup' },
];

/** Windows ignores trailing dots and spaces and alternate data streams (`tasks.json.`, `tasks.json::$DATA`). */
function canonicalName(segment: string): string {
  return segment.toLowerCase().replace(/:.*$/, '').replace(/[. ]+$/, '');
}

/** Why editing `path` (any separator, absolute or relative) can run code, or undefined. */
export function runsCode(path: string): string | undefined {
  const segments = path.split(/[\\/]+/).filter(Boolean).map(canonicalName);
  const name = segments.at(-1) ?? '';
  const dirs = segments.slice(0, -1);
  for (const rule of RULES) {
    if (rule.dirs?.some((d) => dirs.includes(d)) || rule.names?.includes(name) || rule.pattern?.test(name)) return rule.why;
  }
  return undefined;
}
