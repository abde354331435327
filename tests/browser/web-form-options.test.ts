/**
 * The upload form's choices are written in the page (with labels for
 * people); their values must be exactly the contract's, in its order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CODECS, PRIORITIES, QUALITY_PROFILES } from '@stream-server/contract';

const html = readFileSync(path.resolve(__dirname, '../../apps/web/index.html'), 'utf8');

function optionValues(selectId: string): string[] {
  const select = new RegExp(`<select id="${selectId}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!select?.[1]) throw new Error(`no <select id="${selectId}"> in index.html`);
  return [...select[1].matchAll(/<option value="([^"]*)"/g)].map((match) => match[1] ?? '');
}

it('offers every codec (and automatic), quality profile and priority the API takes', () => {
  expect(optionValues('codec')).toEqual(['', ...CODECS]);
  expect(optionValues('quality-profile')).toEqual([...QUALITY_PROFILES]);
  expect(optionValues('priority')).toEqual([...PRIORITIES]);
});
