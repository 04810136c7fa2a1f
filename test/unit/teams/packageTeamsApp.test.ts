import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import JSZip from 'jszip';
import { loadConfig } from '../../../bot/config';
import { TeamsPackageError, packageTeamsApp } from '../../../scripts/packageTeamsApp';

const root = path.resolve(__dirname, '../../..');
const BOT_ID = '0a1b2c3d-1111-2222-3333-444455556666';
const TEAMS_ENV = {
  MicrosoftAppId: BOT_ID,
  TEAMS_WEBSITE_URL: 'https://bank.example.com',
  TEAMS_PRIVACY_URL: 'https://bank.example.com/privacy',
  TEAMS_TERMS_URL: 'https://bank.example.com/terms',
};

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk's length and type). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * The RGBA pixels of a PNG written by scripts/generateTeamsIcons.ts (8-bit RGBA, every row
 * unfiltered); anything else fails the test rather than being decoded wrongly.
 */
function pngPixels(bytes: Buffer): { width: number; height: number; rgba: Buffer } {
  const { width, height } = pngSize(bytes);
  expect([bytes[24], bytes[25]]).toEqual([8, 6]);
  const idat: Buffer[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

describe('Teams app package', () => {
  let outDir: string;
  beforeEach(() => { outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-teams-')); });
  afterEach(() => fs.rmSync(outDir, { recursive: true, force: true }));

  test('When the bot id and URLs are configured, then the zip holds manifest.json and both icons at its root, with the bot id and the en commands', async () => {
    const file = await packageTeamsApp(loadConfig(TEAMS_ENV, { cwd: root }), path.join(outDir, 'rapport-teams.zip'));
    const zip = await JSZip.loadAsync(fs.readFileSync(file));
    const names = Object.keys(zip.files);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'color.png', 'outline.png']));
    expect(names.every((n) => !n.includes('/'))).toBe(true);

    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.manifestVersion).toBe('1.16');
    expect(manifest.id).toBe(BOT_ID);
    expect(manifest.bots[0].botId).toBe(BOT_ID);
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest.developer).toEqual({
      name: 'Rongtong Bank', websiteUrl: TEAMS_ENV.TEAMS_WEBSITE_URL, privacyUrl: TEAMS_ENV.TEAMS_PRIVACY_URL, termsOfUseUrl: TEAMS_ENV.TEAMS_TERMS_URL,
    });
    expect(manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual(expect.arrayContaining(['File a complaint', 'Book a callback', 'Help']));
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{/);

    const zh = JSON.parse(await zip.file('zh-CN.json')!.async('string'));
    expect(zh['bots[0].commandLists[0].commands[1].title']).toBe('我要投诉');
  });

  test('When the package is built, then color.png is 192×192 and outline.png 32×32 with only white or transparent pixels', async () => {
    const file = await packageTeamsApp(loadConfig(TEAMS_ENV, { cwd: root }), path.join(outDir, 'rapport-teams.zip'));
    const zip = await JSZip.loadAsync(fs.readFileSync(file));
    expect(pngSize(await zip.file('color.png')!.async('nodebuffer'))).toEqual({ width: 192, height: 192 });
    const outline = pngPixels(await zip.file('outline.png')!.async('nodebuffer'));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let drawn = 0;
    for (let i = 0; i < outline.rgba.length; i += 4) {
      const [r, g, b, a] = outline.rgba.subarray(i, i + 4);
      if (a > 0) { drawn += 1; expect([r, g, b]).toEqual([255, 255, 255]); }
    }
    expect(drawn).toBeGreaterThan(50);
    expect(drawn).toBeLessThan(32 * 32);
  });

  test('When TEAMS_APP_ID is set, then it is the app id and the bot id stays MicrosoftAppId', async () => {
    const appId = '99999999-8888-7777-6666-555555555555';
    const file = await packageTeamsApp(loadConfig({ ...TEAMS_ENV, TEAMS_APP_ID: appId, TEAMS_APP_VERSION: '1.2.3' }, { cwd: root }), path.join(outDir, 'app.zip'));
    const manifest = JSON.parse(await (await JSZip.loadAsync(fs.readFileSync(file))).file('manifest.json')!.async('string'));
    expect(manifest).toMatchObject({ id: appId, version: '1.2.3', bots: [{ botId: BOT_ID }] });
  });

  test('When MicrosoftAppId is empty, then packaging fails naming MicrosoftAppId and writes no zip', async () => {
    const out = path.join(outDir, 'app.zip');
    const error = await packageTeamsApp(loadConfig({ ...TEAMS_ENV, MicrosoftAppId: '' }, { cwd: root }), out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeamsPackageError);
    expect((error as TeamsPackageError).problems).toEqual([expect.stringMatching(/^MicrosoftAppId is empty/)]);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('When npm run teams:package runs with nothing configured, then it exits 1 listing the bot id and the three URLs', () => {
    // A temp cwd, so a developer's .env can't fill the values in.
    const out = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(root, 'scripts/packageTeamsApp.ts')], {
      cwd: outDir, encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 20000,
    });
    expect(out.status).toBe(1);
    for (const key of ['MicrosoftAppId', 'TEAMS_WEBSITE_URL', 'TEAMS_PRIVACY_URL', 'TEAMS_TERMS_URL']) expect(out.stderr).toContain(key);
  });
});
