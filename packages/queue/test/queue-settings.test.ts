import { PRIORITY_VALUES } from '../src/queue-settings';

it('priorities: urgent < normal < background (BullMQ runs lower first)', () => {
  expect(PRIORITY_VALUES.urgent).toBeLessThan(PRIORITY_VALUES.normal);
  expect(PRIORITY_VALUES.normal).toBeLessThan(PRIORITY_VALUES.background);
  // BullMQ priorities are positive integers (0 means "no priority").
  for (const value of Object.values(PRIORITY_VALUES)) {
    expect(Number.isInteger(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
  }
  expect(Object.keys(PRIORITY_VALUES).sort()).toEqual(['background', 'normal', 'urgent']);
});
