import { lazyRequire } from '../../util/lazy-require.js';

/** node:child_process, loaded when a browser is opened. */
const childProcess = lazyRequire<typeof import('node:child_process')>('node:child_process');

/** Opens a URL for the user to log in (injected, so tests and libraries can replace it). */
export type OpenBrowser = (url: string) => Promise<void>;

/** Splits a $BROWSER value into words, honouring single and double quotes. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) words.push(m[1]?.replace(/\\(.)/g, '$1') ?? m[2] ?? m[3] ?? '');
  return words;
}

/** The argv that opens `url`: `$BROWSER` (a command; the URL is its last argument, or replaces %s), else the platform opener. */
export function browserCommand(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const browser = env.BROWSER?.trim();
  if (browser) {
    const words = splitCommand(browser);
    return words.some((w) => w.includes('%s')) ? words.map((w) => w.replaceAll('%s', url)) : [...words, url];
  }
  if (platform === 'darwin') return ['open', url];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""', url];
  return ['xdg-open', url];
}

/** Whether this process can show a browser at all (no display and no $BROWSER means headless). */
export function canOpenBrowser(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (env.BROWSER?.trim()) return true;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Launches the browser detached; resolves once it started, rejects if it could not. */
export function systemBrowser(env: NodeJS.ProcessEnv = process.env): OpenBrowser {
  return (url) =>
    new Promise((resolve, reject) => {
      const [cmd, ...args] = browserCommand(url, env);
      const child = childProcess().spawn(cmd!, args, { detached: true, stdio: 'ignore', env });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
}
