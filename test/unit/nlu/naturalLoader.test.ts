import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');
const tsxRegister = require.resolve('tsx/cjs', { paths: [repoRoot] });

/** Runs `code` in a fresh node with a `.env` in its working directory; reports stdout and the env var. */
function runInDirWithDotEnv(code: string): { stdout: string; report: { leaked: string | null; stem: string | null } } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-natural-'));
  try {
    fs.writeFileSync(path.join(dir, '.env'), 'RAPPORT_NATURAL_LEAK=from-dotenv\n');
    const env = { ...process.env };
    delete env.RAPPORT_NATURAL_LEAK;
    delete env.DOTENV_CONFIG_QUIET;
    const child = spawnSync(process.execPath, ['--require', tsxRegister, '-e', code], { cwd: dir, env, encoding: 'utf8', timeout: 20000 });
    if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
    return { stdout: child.stdout, report: JSON.parse(child.stderr.trim().split('\n').pop() ?? '{}') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const report = `process.stderr.write('\\n' + JSON.stringify({ leaked: process.env.RAPPORT_NATURAL_LEAK ?? null, stem: typeof stem === 'string' ? stem : null }))`;

describe('naturalLoader', () => {
  it('When the loader is imported with a .env in the working directory, then nothing is printed and no variable leaks', () => {
    const loader = JSON.stringify(path.join(repoRoot, 'services/nlu/naturalLoader.ts'));
    const { stdout, report: r } = runInDirWithDotEnv(
      `const m = require(${loader}); m.loadBayesClassifier(); m.loadLogisticRegressionClassifier();
       const stem = m.PorterStemmer.stem('running') + '|' + m.createWordTokenizer().tokenize('Lost my card').join(' '); ${report}`,
    );
    expect(stdout).toBe('');
    expect(r.leaked).toBeNull();
    expect(r.stem).toBe('run|Lost my card');
  });

  it('When natural is required the usual way, then it leaks .env and prints (the hazard the loader avoids)', () => {
    const { stdout, report: r } = runInDirWithDotEnv(`require(require.resolve('natural', { paths: [${JSON.stringify(repoRoot)}] })); const stem = null; ${report}`);
    expect(r.leaked).toBe('from-dotenv');
    expect(stdout).not.toBe('');
  });
});
