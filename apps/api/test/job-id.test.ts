import { InvalidInputError } from '@stream-server/errors';
import { parseJobId } from '../src/services/job-id';

describe('parseJobId', () => {
  it('passes a lower-case UUID through unchanged', () => {
    expect(parseJobId('550e8400-e29b-41d4-a716-446655440000')).toBe('550e8400-e29b-41d4-a716-446655440000');
  });

  it.each([
    'not-a-uuid',
    '',
    '550E8400-E29B-41D4-A716-446655440000',
    '550e8400-e29b-41d4-a716-446655440000/..',
    '../etc',
  ])('%j → INVALID_JOB_ID', (value) => {
    expect(() => parseJobId(value)).toThrow(InvalidInputError);
    expect(() => parseJobId(value)).toThrow(expect.objectContaining({ code: 'INVALID_JOB_ID' }));
  });
});
