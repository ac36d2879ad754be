/**
 * Runs the restsql CLI like bin/restsql does, then reports this process's peak RSS on stderr as
 * `BENCH_MAXRSS_KB=<n>` (for `npm run bench`; the product never prints it).
 */
import { main } from '../src/cli/main.js';

process.title = 'restsql';
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
process.stderr.write(`BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
