import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, envExample, loadConfig } from '../../bot/config';

const root = path.resolve(__dirname, '../..');

describe('Configuration', () => {
  test('When nothing is set, then the defaults run on embedded storage on port 3978', () => {
    const config = loadConfig({}, { cwd: root });
    expect(config.PORT).toBe(3978);
    expect(config.storage).toEqual({ redis: false, mongo: false });
    expect(config.dataDir).toBe(path.join(root, 'data'));
    expect(config.MAX_BODY_BYTES).toBe(256 * 1024);
  });

  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['REDIS_URL', 'not-a-url'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['MONGODB_URI', 'localhost:27017'],
    ['BUSINESS_OPENS', '9am'],
    ['BUSINESS_TIMEZONE', 'Mars/Olympus'],
    ['LOG_LEVEL', 'loud'],
  ])('When %s=%s, then loading fails with one line naming the variable', (key, value) => {
    let error: unknown;
    try { loadConfig({ [key]: value }, { cwd: root }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(key);
    expect(message.split('\n')).toHaveLength(1);
  });

  test.each([
    ['not-a-url|19:abc@thread.tacv2', 'serviceUrl'],
    ['https://smba.trafficmanager.net/apac/|', 'conversation id'],
    ['{"serviceUrl":"https://smba.trafficmanager.net/apac/"', 'JSON'],
    ['{"conversationId":"19:abc@thread.tacv2"}', 'serviceUrl'],
  ])('When STAFF_TEAMS_CONVERSATION=%s, then loading fails naming the variable and what is missing', (value, missing) => {
    expect(() => loadConfig({ STAFF_TEAMS_CONVERSATION: value }, { cwd: root })).toThrow(new RegExp(`^Invalid configuration: STAFF_TEAMS_CONVERSATION=.*${missing}`));
  });

  test('When STAFF_TEAMS_CONVERSATION is given as JSON or as serviceUrl|conversationId|tenantId, then both read the same, and empty means none', () => {
    const expected = { serviceUrl: 'https://smba.trafficmanager.net/apac/', conversationId: '19:abc@thread.tacv2', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
    expect(loadConfig({ STAFF_TEAMS_CONVERSATION: JSON.stringify(expected) }, { cwd: root }).STAFF_TEAMS_CONVERSATION).toEqual(expected);
    expect(loadConfig({ STAFF_TEAMS_CONVERSATION: ` ${Object.values(expected).join(' | ')} ` }, { cwd: root }).STAFF_TEAMS_CONVERSATION).toEqual(expected);
    expect(loadConfig({ STAFF_TEAMS_CONVERSATION: 'https://smba.trafficmanager.net/apac/|19:abc@thread.tacv2' }, { cwd: root }).STAFF_TEAMS_CONVERSATION)
      .toEqual({ serviceUrl: expected.serviceUrl, conversationId: expected.conversationId });
    const defaults = loadConfig({ STAFF_TEAMS_CONVERSATION: '' }, { cwd: root });
    expect(defaults.STAFF_TEAMS_CONVERSATION).toBeUndefined();
    expect(defaults.STAFF_TEAMS_LANGUAGE).toBe('zh-CN');
    expect(() => loadConfig({ STAFF_TEAMS_LANGUAGE: 'fr' }, { cwd: root })).toThrow(/STAFF_TEAMS_LANGUAGE/);
  });

  test('When Redis and Mongo URLs are given, then production storage is selected', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', MONGODB_URI: 'mongodb://127.0.0.1:27017/rapport' }, { cwd: root });
    expect(config.storage).toEqual({ redis: true, mongo: true });
  });

  test('When .env.example is compared with the schema, then it lists every key with a comment', () => {
    const committed = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
    expect(committed).toBe(envExample());
  });

  test('When a .env file is present, then its values are read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-env-'));
    fs.writeFileSync(path.join(dir, '.env'), 'BANK_NAME_EN=Dotenv Bank\n');
    const script = `const { loadConfig } = require(${JSON.stringify(path.join(root, 'bot/config'))}); process.stdout.write(loadConfig(undefined, { cwd: ${JSON.stringify(dir)} }).BANK_NAME_EN);`;
    const out = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(out.stdout).toBe('Dotenv Bank');
  });

  test('When the bot starts with PORT=abc, then it exits with a one-line message naming PORT', () => {
    const out = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(root, 'bot/index.ts')], {
      cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, PORT: 'abc' }, timeout: 20000,
    });
    expect(out.status).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/PORT/);
  });
});
