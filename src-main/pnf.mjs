#!/usr/bin/env node
// `pnf` bin shim: runs src-main/cli.ts through tsx's loader in this same process
// (so exit codes, signals and the TTY behave as in a native command).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
