import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { DATAARTS_JOB, getJson, paths, SQL_OK, signedFetch } from './helpers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function sdkDateNow(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

describe('the README', () => {
  it('its curl line, signed with a wrong key, gets the APIG.0301 body it shows', async () => {
    const curl = readme.split('\n').find((line) => line.startsWith('curl '));
    if (!curl) throw new Error('no curl line in the README');
    const headers = Object.fromEntries(
      [...curl.matchAll(/-H "([^:]+): ([^"]+)"/g)].map(([, name, value]) => [
        name as string,
        (value as string).replace('$(date -u +%Y%m%dT%H%M%SZ)', sdkDateNow()),
      ]),
    );
    const url = /(http:\/\/127\.0\.0\.1:8080\S+)/.exec(curl)?.[1];
    if (!url) throw new Error('no URL in the curl line');
    // The first JSON block after the curl line is the answer the README promises.
    const shown = /```json\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf(curl)))?.[1];
    if (!shown) throw new Error('no answer shown after the curl line');
    const expected = JSON.parse(shown);
    expect(expected.error_code).toBe('APIG.0301');

    const emulator = await startEmulator({ port: 0 });
    try {
      const response = await fetch(url.replace('http://127.0.0.1:8080', emulator.url), { headers });
      expect(response.status).toBe(401);
      const body = await response.json();
      expect(body).toEqual({ ...expected, request_id: response.headers.get('x-request-id') });
    } finally {
      await emulator.close();
    }
  });

  it('its scripted-answer examples answer what it says', async () => {
    const section = readme.slice(readme.indexOf('### Scripted answers'));
    const shown = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    const inline = /`(\{"type": "respond", "bodyBase64": [^`]+\})`/.exec(section)?.[1];
    if (!shown || !inline) throw new Error('no respond examples in the README');
    const emulator = await startEmulator({ port: 0 });
    try {
      emulator.admin.addFaults([JSON.parse(shown), JSON.parse(inline)]);
      const progress = await signedFetch(emulator, paths.sqlProgress(SQL_OK));
      expect(progress.status).toBe(200);
      expect(progress.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(await progress.json()).toEqual({ is_success: true, progress: 'soon' });
      const raw = Buffer.from(await (await signedFetch(emulator, paths.sqlProgress(SQL_OK))).arrayBuffer());
      expect(raw).toEqual(
        Buffer.concat([Buffer.from('{"status":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      );
    } finally {
      await emulator.close();
    }
  });

  it("its dialect examples have the shapes and types of the DataArts job's answers a minute in", async () => {
    const section = readme.slice(readme.indexOf('## Dialects'));
    const shown = [...section.matchAll(/```json\n([\s\S]*?)\n```/g)]
      .slice(0, 2)
      .map((m) => JSON.parse(m[1] as string));
    expect(shown).toHaveLength(2);
    // Keys in order and the type of every value: the times differ from run to run.
    const shape = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(shape)
        : typeof value === 'object' && value !== null
          ? Object.entries(value).map(([k, v]) => [k, shape(v)])
          : typeof value;
    for (const [i, dialect] of (['sdk', 'documented'] as const).entries()) {
      const emulator = await startEmulator({ dialect });
      try {
        emulator.admin.advanceClock(61_000);
        const { body } = await getJson(emulator, paths.dataArts(DATAARTS_JOB));
        expect(shape(body), dialect).toEqual(shape(shown[i]));
        expect({ ...body, starttime: 0, startTime: 0, lastUpdateTime: 0 }, dialect).toEqual({
          ...shown[i],
          starttime: 0,
          startTime: 0,
          lastUpdateTime: 0,
        });
      } finally {
        await emulator.close();
      }
    }
  });

  it('documents the command that starts the emulator', () => {
    expect(readme).toContain('node packages/emulator/dist/cli.js --port 8080');
  });
});
