import { z } from 'zod';
import { describeIssues, describeSettingIssues } from '../../../lambda/core/schema-issues';

const failure = (schema: z.ZodType, value: unknown): z.ZodError => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the parse to fail');
  return result.error;
};

describe('describeIssues', () => {
  const body = z.object({ deviceId: z.string(), options: z.object({ limit: z.number() }) });

  test('one line, each issue as path: message', () => {
    expect(describeIssues(failure(body, { deviceId: 1, options: { limit: 'x' } }), 'body')).toBe(
      'deviceId: Invalid input: expected string, received number; options.limit: Invalid input: expected number, received string',
    );
  });

  test('an issue about the whole value carries the given label', () => {
    expect(describeIssues(failure(body, 'not an object'), 'body')).toBe(
      'body: Invalid input: expected object, received string',
    );
  });
});

describe('describeSettingIssues', () => {
  const env = z.object({
    CACHE_NAME: z.string({ error: 'CACHE_NAME is required' }),
    LEASE_SECONDS: z.coerce.number().int(),
  });

  test('a message that names its setting stands alone; any other gets the setting in front', () => {
    expect(describeSettingIssues(failure(env, { LEASE_SECONDS: '1.5' }))).toEqual([
      'CACHE_NAME is required',
      'LEASE_SECONDS: Invalid input: expected int, received number',
    ]);
  });
});
