// What the verify command and its `create-cache` sub-command share about reading their command line.
import { parseArgs } from 'node:util';
import { errorMessage } from '../client/error-message';

/** A mistake on the command line: the command prints it with its usage and exits with 2. */
export class UsageError extends Error {}

/** Where a command writes its lines. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/**
 * The options of `argv` (strings and flags), strictly: an unknown option or a positional argument is a
 * {@link UsageError}.
 */
export function parseOptions(
  argv: readonly string[],
  options: Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>,
): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
}

/**
 * The settings `parse` reads from the command line, or the exit code when there is nothing to run:
 * 0 after printing the usage for `--help`, 2 after printing a {@link UsageError} (headed by
 * `command`) and the usage. Any other error is thrown on.
 */
export function settingsOrExitCode<S>(
  parse: () => S | 'help',
  command: string,
  usage: string,
  io: CommandOutput,
): { readonly settings: S } | { readonly exitCode: number } {
  let settings: S | 'help';
  try {
    settings = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${command}: ${error.message}\n\n${usage}`);
    return { exitCode: 2 };
  }
  if (settings === 'help') {
    io.out(usage);
    return { exitCode: 0 };
  }
  return { settings };
}
