/**
 * commander, loaded with require rather than import: it ships CommonJS, and importing it makes
 * Node lex its source for named exports first (8 ms of every command's start-up, measured). The
 * CLI's bundle (build/bundle.ts) replaces this module with a static import, so commander's files
 * are bundled and none is resolved or read at start-up.
 */
import { createRequire } from 'node:module';

export const { Command, CommanderError, Option } = createRequire(import.meta.url)('commander') as typeof import('commander');
export type Command = import('commander').Command;
export type Option = import('commander').Option;
