/**
 * The command line of every benchmark script: its options (with -h/--help), the usage text on
 * --help, and on a bad option its message, the usage text and exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gives for `options` (strict, no positional arguments). */
export type OptionValues<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true }>>['values'];

export interface BenchCli<O extends OptionsConfig, T> {
  /** Printed on stdout for -h/--help, and on stderr after the message of a bad option. */
  help: string;
  /** The script's options as parseArgs takes them; -h/--help is added. */
  options: O;
  /** The script's settings from the option values; throws an Error that says what is wrong with a bad one. */
  parse(values: OptionValues<O>): T;
  /** The benchmark itself, unless the options were bad or help was asked for. */
  run(settings: T): Promise<void>;
}

export async function runBenchCli<O extends OptionsConfig, T>(cli: BenchCli<O, T>): Promise<void> {
  let settings: { value: T } | undefined;
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: { ...cli.options, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
    });
    if (!(values as { help: boolean }).help) settings = { value: cli.parse(values as OptionValues<O>) };
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${cli.help}`);
    process.exitCode = 2;
    return;
  }
  if (!settings) {
    process.stdout.write(cli.help);
    return;
  }
  await cli.run(settings.value);
}

export interface WholeNumberRules {
  /** Reads `100_000` as 100000 (otherwise it is refused). */
  underscores?: boolean;
  /** Whether the message of a bad value names the minimum (default: it does). */
  namesMinimum?: boolean;
}

/** `raw`, the value of `--<name>`, as a whole number of at least `min`; throws if it is not one. */
export function wholeNumber(name: string, raw: string, min: number, rules: WholeNumberRules = {}): number {
  const n = Number(rules.underscores ? raw.replace(/_/g, '') : raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`--${name} must be a whole number${rules.namesMinimum === false ? '' : ` of at least ${min}`}, not ${raw}`);
  }
  return n;
}

/** wholeNumber over the option values of one command line: `count('samples', 1)`. */
export function wholeNumbersOf<V extends object>(values: V, rules: WholeNumberRules = {}): (name: keyof V & string, min: number) => number {
  return (name, min) => wholeNumber(name, String(values[name]), min, rules);
}
