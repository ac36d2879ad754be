/**
 * DOT text laid out and drawn as SVG by Graphviz compiled to WebAssembly (`@hpcc-js/wasm-graphviz`):
 * no binary to install, no network. Loaded only when an SVG is asked for.
 */
import { RestSqlError } from '../../errors/index.js';

export async function renderSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  try {
    return graphviz.dot(dot, 'svg');
  } catch (e) {
    throw new RestSqlError('INTERNAL', `Graphviz could not draw the diagram: ${(e as Error).message}`, {
      hint: 'Write it as DOT (--erd dot) to see the text, and report this as a bug.',
    });
  }
}
