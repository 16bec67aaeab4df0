import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtStamp, staleWorkspacePackages } from '../src/lib/build';

/*
 * Which workspace packages `dff build` builds before the project (lib/build.ts): a workspace made
 * in a temporary folder, its package linked into the project's node_modules as npm workspaces
 * link them, its files' times set by hand.
 */

let root: string;
let project: string;
let pkg: string;
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const touch = (file: string, seconds: number) => utimesSync(file, at(seconds), at(seconds));
const write = (file: string, text: string, seconds: number) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  touch(file, seconds);
};

function manifest(extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    name: '@acme/lib',
    version: '1.0.0',
    exports: {
      '.': {
        'dff-source': './src/index.ts',
        module: './dist/esm/index.js',
        default: './dist/index.js',
      },
      './widget': './dist/widget/w.js',
      './things/*': './dist/things/*.js',
      './package.json': './package.json',
    },
    scripts: { build: 'tsc -b' },
    ...extra,
  });
}

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'dff-workspace-')));
  project = join(root, 'examples', 'bot');
  pkg = join(root, 'packages', 'lib');
  write(
    join(project, 'package.json'),
    JSON.stringify({ dependencies: { '@acme/lib': '1.0.0' } }),
    0,
  );
  write(join(pkg, 'package.json'), manifest(), 10);
  write(join(pkg, 'src', 'index.ts'), 'export const a = 1;\n', 10);
  mkdirSync(join(project, 'node_modules', '@acme'), { recursive: true });
  symlinkSync(pkg, join(project, 'node_modules', '@acme', 'lib'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** What a build of the package writes, and the stamp `dff build` writes after it, at `seconds`. */
function built(seconds: number) {
  for (const file of [
    'dist/index.js',
    'dist/esm/index.js',
    'dist/widget/w.js',
    'dist/.tsbuildinfo',
  ])
    write(join(pkg, file), '', seconds);
  write(builtStamp(project, pkg), '', seconds);
}

describe('staleWorkspacePackages', () => {
  it('a package dff build never built is built', () => {
    expect(staleWorkspacePackages(project)).toEqual([pkg]);
  });

  it('one it built after its sources last changed, every export there, is not', () => {
    built(20);
    expect(staleWorkspacePackages(project)).toEqual([]);
  });

  it("one missing an export's file is (core's ES build, which tsc -b does not make)", () => {
    built(20);
    rmSync(join(pkg, 'dist', 'esm'), { recursive: true });
    expect(staleWorkspacePackages(project)).toEqual([pkg]);
  });

  it('one whose sources changed since is, whichever source (the widget, a script)', () => {
    built(20);
    write(join(pkg, 'src', 'index.ts'), 'export const a = 2;\n', 30);
    expect(staleWorkspacePackages(project)).toEqual([pkg]);
    built(40);
    expect(staleWorkspacePackages(project)).toEqual([]);
    write(join(pkg, 'widget', 'build.ts'), '', 50);
    expect(staleWorkspacePackages(project)).toEqual([pkg]);
    built(60);
    write(join(pkg, 'scripts', 'build-esm.mjs'), '', 70);
    expect(staleWorkspacePackages(project)).toEqual([pkg]);
  });

  it('a dist/ refreshed in part since (tsc -b alone: the CommonJS build) does not make it built', () => {
    built(20);
    write(join(pkg, 'src', 'index.ts'), 'export const a = 3;\n', 30);
    write(join(pkg, 'dist', 'index.js'), '', 40);
    write(join(pkg, 'dist', '.tsbuildinfo'), '', 40);
    expect(staleWorkspacePackages(project)).toEqual([pkg]);
  });

  it('its tests, docs and dependencies are not its sources', () => {
    built(20);
    write(join(pkg, 'test', 'a.test.ts'), '', 30);
    write(join(pkg, 'docs', 'api.json'), '{}', 30);
    write(join(pkg, 'node_modules', 'x', 'index.ts'), '', 30);
    expect(staleWorkspacePackages(project)).toEqual([]);
  });

  it('a package without a build script, or installed from a registry, is left alone', () => {
    write(join(pkg, 'package.json'), manifest({ scripts: {} }), 10);
    expect(staleWorkspacePackages(project)).toEqual([]);
    // Another project (Node keeps what it resolved for a folder), the package installed in it.
    const installed = join(root, 'examples', 'other');
    write(
      join(installed, 'package.json'),
      JSON.stringify({ dependencies: { '@acme/lib': '1.0.0' } }),
      0,
    );
    mkdirSync(join(installed, 'node_modules', '@acme', 'lib', 'src'), { recursive: true });
    writeFileSync(join(installed, 'node_modules', '@acme', 'lib', 'package.json'), manifest());
    expect(staleWorkspacePackages(installed)).toEqual([]);
  });
});
