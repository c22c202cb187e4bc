import type * as z from 'zod';

/**
 * A failed zod parse in one line, `path: message; path: message`, for an error answer or log;
 * an issue about the value as a whole is labelled `whole` (e.g. `body`).
 */
export function describeIssues(error: z.ZodError, whole: string): string {
  // eslint-disable-next-line no-restricted-syntax -- the one copy the rule points to
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || whole}: ${issue.message}`).join('; ');
}

/**
 * A failed parse of named settings (environment variables, command-line options), one entry per
 * issue: the message alone when it already names its setting, else `SETTING: message`.
 */
export function describeSettingIssues(error: z.ZodError): string[] {
  // eslint-disable-next-line no-restricted-syntax -- the one copy the rule points to
  return error.issues.map((issue) =>
    issue.path.length > 0 && !issue.message.includes(String(issue.path[0]))
      ? `${issue.path.map(String).join('.')}: ${issue.message}`
      : issue.message,
  );
}
