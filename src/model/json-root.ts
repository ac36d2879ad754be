/**
 * Finds the record array in a response (the "json root"). A bare array is the records; an object
 * with exactly one array-valued member (an envelope such as {"data":[...],"next":...}) has its
 * records there; an object whose only object-valued member leads to such an array is followed
 * (up to three levels); any other object is a single record. HAL's `_links` object (RFC draft
 * "JSON Hypertext Application Language") holds links, never records, so it is passed over:
 * `{"_embedded": {"items": [...]}, "_links": {...}}` has its records at `_embedded.items`.
 */
import type { PathStep } from './types.js';

export function detectJsonRoot(body: unknown): string[] {
  const path: string[] = [];
  let node = body;
  for (let depth = 0; depth < 3; depth++) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) break;
    const entries = Object.entries(node as Record<string, unknown>);
    const arrays = entries.filter(([, v]) => Array.isArray(v));
    if (arrays.length === 1) {
      path.push(arrays[0]![0]);
      return path;
    }
    if (arrays.length > 1) break;
    const objects = entries.filter(([k, v]) => v !== null && typeof v === 'object' && k !== '_links');
    if (objects.length !== 1) break;
    path.push(objects[0]![0]);
    node = objects[0]![1];
  }
  return isArrayAt(body, path) ? path : [];
}

function isArrayAt(body: unknown, path: readonly string[]): boolean {
  return Array.isArray(valueAt(body, path));
}

/** The value at `path`: member names step into objects, numbers (positions) into arrays. */
export function valueAt(body: unknown, path: readonly PathStep[]): unknown {
  let node = body;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(node)) return undefined;
      node = node[key];
      continue;
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** The records at `jsonRoot`: the array there, a single object as one record, nothing as none. */
export function recordsAt(body: unknown, jsonRoot: readonly string[]): unknown[] {
  const node = valueAt(body, jsonRoot);
  if (Array.isArray(node)) return node;
  if (node === undefined || node === null) return [];
  return [node];
}
