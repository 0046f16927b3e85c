/** Every command of `streamproof`, in the order `--help` lists them. Adding one: its file, and its line here. */
import type { Command } from 'commander';
import { register as doctor } from './doctor.ts';
import { register as images } from './images.ts';
import { register as init } from './init.ts';
import { register as merge } from './merge.ts';
import { register as mockLlm } from './mock-llm.ts';
import { register as report } from './report.ts';
import { register as run } from './run.ts';
import { register as setup } from './setup.ts';
import { register as toxiproxyServer } from './toxiproxy-server.ts';
import { register as validate } from './validate.ts';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [run, validate, init, setup, images, doctor, report, merge, mockLlm, toxiproxyServer];
