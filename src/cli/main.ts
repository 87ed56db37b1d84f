#!/usr/bin/env node
/**
 * The `tollgate` command. `tollgate start` (what `npm start` runs) serves Tollgate; the other
 * commands manage the database and management keys. Every command has --help.
 */
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, GATEWAY_WORKERS_RULE, parseGatewayWorkers } from '../config.js';
import { startCommand } from './start.js';
import { keysCreate, keysGenerate, keysList, keysRevoke } from './keys.js';
import { migrateCommand } from './migrate.js';
import { gatewayCommand } from './gateway.js';
import { signinLocks, signinUnlock } from './signin.js';

function workersOption(value: string): number {
  const workers = parseGatewayWorkers(value);
  if (workers === undefined) throw new InvalidArgumentError(GATEWAY_WORKERS_RULE);
  return workers;
}

const program = new Command()
  .name('tollgate')
  .description('Tollgate: self-hosted API management with an Azure API Management compatible management API.')
  .addHelpText(
    'after',
    `
Configuration comes from environment variables: PORT, GATEWAY_PORT, HOST, DATABASE_URL,
TOLLGATE_SERVICE_NAME, TOLLGATE_ADMIN_KEY, PUBLIC_URL, SMTP_URL, MAIL_FROM,
TOLLGATE_ORGANIZATION_NAME, LOG_LEVEL. See README.md.`,
  );

program.command('start').description('Run Tollgate: migrate the database, then serve the management API.').action(startCommand);
program
  .command('gateway')
  .description(
    'Run a gateway node only (GATEWAY_PORT): no management API, portal or email worker. For more gateway processes or machines on one DATABASE_URL next to `tollgate start`; the database must already be migrated.',
  )
  .option(
    '-w, --workers <n>',
    `gateway processes sharing GATEWAY_PORT, each following the database's changes; 1 runs in this process alone (default: GATEWAY_WORKERS, else one per CPU: ${availableParallelism()} here)`,
    workersOption,
  )
  .action(gatewayCommand);
program.command('migrate').description('Create or upgrade the database schema and seed data, then exit.').action(migrateCommand);

const keys = program.command('keys').description('Manage keys for the management API (Authorization: Bearer <key>).');
keys
  .command('create')
  .description('Create a management key and print it once (only a hash is stored).')
  .requiredOption('-n, --name <name>', 'what the key is for, e.g. "deploy pipeline"')
  .action(keysCreate);
keys.command('list').description('List management keys (never their secrets).').action(keysList);
keys.command('revoke').description('Revoke a management key; it stops working at once.').argument('<id>', 'the key id shown by `keys list`').action(keysRevoke);
keys
  .command('generate')
  .description('Print a random value suitable for TOLLGATE_ADMIN_KEY (stores nothing).')
  .action(keysGenerate);

const signin = program.command('signin').description('Sign-in protection of the developer portal (failed sign-in locks).');
signin.command('locks').description('List the accounts and client addresses locked after failed sign-ins.').action(signinLocks);
signin
  .command('unlock')
  .description('Lift the lock on an account (by email) or a client address, and forget its failures.')
  .option('--email <address>', 'the account\'s email address')
  .option('--ip <address>', 'a client IP address')
  .action(signinUnlock);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`tollgate: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
}

